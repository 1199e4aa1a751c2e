/// Runs one trial of a sweep: the base run with the trial's parameters over the bars, and the
/// per-bar returns of its equity reduced to what the statistics need (``TrialOutcome``).
public enum TrialEvaluation {
    /// The blocks of the data's span whose return sums a trial keeps (PBO by CSCV: 12,870 splits).
    public static let blocks = 16

    /// The trial `index` with `parameters` set on the base run's strategy. The bars are shared by
    /// every trial (read only); a trial whose parameters the strategy refuses comes back with its
    /// reason and flat returns. With walk-forward, `boundaries` (``WalkForward/boundaries(_:)``)
    /// cut the span into the segments whose sums the trial keeps (a return is its bar's). With an
    /// early-stopping `stop` rule, the run pauses at each checkpoint and stops there, as a trial
    /// that did not run (it still counts), when its first folds are worse than the rule allows; a
    /// trial that passes every checkpoint has the outcome it would have without the rule.
    ///
    /// `resolvedBase` (`base` resolved once for the sweep) spares each trial resolving the whole
    /// run again: only the trial's parameters are checked (``Registry/session(changing:onto:options:)``),
    /// with the same outcome, failures' reasons included.
    public static func run(
        index: Int, parameters: [String: ParameterValue], base: RunSpec, bars: BarSeries, registry: Registry,
        blocks: Int, boundaries: [Int64] = [], stop: EarlyStop.Rule? = nil, barInterval: Int64? = nil,
        resolvedBase: ResolvedRun? = nil
    ) -> TrialOutcome {
        // The bars' interval (a median of their gaps, a sort): once per sweep, not per trial, when
        // the caller gives it — over a few thousand bars it was a fifth of a trial.
        let interval = barInterval ?? bars.barInterval
        var statistics: BacktestStatistics?
        var failure: String?
        var returns: [Double] = []
        // A trial stopped early keeps its sums over the folds it ran (walk-forward may still choose
        // it for those: leaving it out would choose among trials filtered on those folds' tests).
        var stoppedSegments: [SegmentSums]?
        do {
            let options = SessionOptions(recordTrades: false, keepFills: false, recordReturns: true)
            var session: any BacktestSession
            if let resolvedBase {
                session = try registry.session(changing: parameters, onto: resolvedBase, options: options)
            } else {
                var spec = base
                for (name, value) in parameters { spec.strategy.config[name] = value }
                session = try registry.makeSession(try registry.resolve(spec), options: options)
            }
            if let stop, boundaries.count >= 2 {
                for (k, time) in stop.checkpoints.enumerated() {
                    session.run(bars, until: firstBar(bars, atOrAfter: time))
                    let segments = segmentSums(session.returns, bars: bars, boundaries: boundaries)
                    if stop.stops(stop.value(segments: segments, bounds: boundaries, through: k), at: k) {
                        stoppedSegments = segments
                        throw Stopped(fold: k + 1)
                    }
                }
            }
            session.run(bars, until: bars.count)
            let stats = session.statistics(barInterval: interval)
            statistics = stats
            // The returns the run's statistics took, bar by bar (from the starting equity: cash,
            // and any starting base at the first price), recorded by the loop.
            returns = session.takeReturns()
        } catch {
            failure = "\(error)"
        }
        // A trial that could not run has flat returns over every bar.
        if failure != nil { returns = [Double](repeating: 0, count: bars.count) }
        let reduced = returns.withUnsafeBufferPointer { r in
            Reduction(r, blocks: blocks, boundaries: boundaries, times: bars)
        }
        return TrialOutcome(
            index: index, parameters: parameters, statistics: statistics, failure: failure, moments: reduced.moments,
            blockCounts: reduced.counts, blockSums: reduced.sums, blockSquares: reduced.squares,
            segments: stoppedSegments ?? reduced.segments)
    }
}

extension TrialEvaluation {
    /// Why an early-stopped trial did not run on (one reason per fold, so failures group).
    struct Stopped: Error, CustomStringConvertible {
        var fold: Int
        var description: String { "\(Self.prefix)\(fold): worse than the pilot trials" }

        static let prefix = "stopped early at fold "

        /// The fold in a stopped trial's reason (nil: not a stopped trial's).
        static func fold(in reason: String) -> Int? {
            guard reason.hasPrefix(prefix) else { return nil }
            return Int(reason.dropFirst(prefix.count).prefix { $0.isNumber })
        }
    }

    /// The first bar at or after `time` (the bars' count when none is).
    static func firstBar(_ bars: BarSeries, atOrAfter time: Int64) -> Int {
        PartitionPoint.first(in: bars.count) { bars.time[$0] >= time }
    }

    /// The segment sums of the `returns` so far, added in bar order as ``Reduction`` adds them: a
    /// segment whole before the last bar has the bits it will have in the record.
    static func segmentSums(_ returns: [Double], bars: BarSeries, boundaries: [Int64]) -> [SegmentSums] {
        var segments = [SegmentSums](repeating: SegmentSums(), count: boundaries.count - 1)
        returns.withUnsafeBufferPointer {
            Reduction.addSegments($0, to: &segments, boundaries: boundaries, times: bars)
        }
        return segments
    }
}

/// A trial's per-bar returns reduced to what the statistics need, in two passes. The sums over
/// bars run in four lanes (a sum's next addition waits for the last one; four chains keep the
/// adders busy), the lanes added in a fixed order: the same bits on every machine.
struct Reduction {
    var moments: ReturnMoments
    var counts: [Double]
    var sums: [Double]
    var squares: [Double]
    var segments: [SegmentSums]

    init(_ r: UnsafeBufferPointer<Double>, blocks: Int, boundaries: [Int64], times bars: BarSeries) {
        let n = r.count
        counts = [Double](repeating: 0, count: blocks)
        sums = [Double](repeating: 0, count: blocks)
        squares = [Double](repeating: 0, count: blocks)
        segments = boundaries.count >= 2 ? [SegmentSums](repeating: SegmentSums(), count: boundaries.count - 1) : []
        // Pass one: each block's sums (the blocks partition the bars; the total is theirs added in
        // block order), each segment's.
        var total = 0.0
        for b in 0..<blocks {
            let (from, to) = (b * n / blocks, (b + 1) * n / blocks)
            counts[b] = Double(to - from)
            var (sum, square) = (SIMD4<Double>(), SIMD4<Double>())
            var (tailSum, tailSquare) = (0.0, 0.0)
            var i = from
            while i + 4 <= to {
                let x = Self.load(r, i)
                sum += x
                square += x * x
                i += 4
            }
            while i < to {
                tailSum += r[i]
                tailSquare += r[i] * r[i]
                i += 1
            }
            sums[b] = Self.add(sum) + tailSum
            squares[b] = Self.add(square) + tailSquare
            total += sums[b]
        }
        if !segments.isEmpty { Self.addSegments(r, to: &segments, boundaries: boundaries, times: bars) }
        // Pass two: the centred sums.
        let mean = n > 0 ? total / Double(n) : 0
        let centre = SIMD4<Double>(repeating: mean)
        var (a2, a3, a4) = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
        var (m2, m3, m4) = (0.0, 0.0, 0.0)
        var i = 0
        while i + 4 <= n {
            let d = Self.load(r, i) - centre
            let d2 = d * d
            a2 += d2
            a3 += d2 * d
            a4 += d2 * d2
            i += 4
        }
        while i < n {
            let d = r[i] - mean
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
            i += 1
        }
        moments = ReturnMoments(
            count: n, sum: total, m2: Self.add(a2) + m2, m3: Self.add(a3) + m3, m4: Self.add(a4) + m4)
    }

    /// Each segment's sums of the returns (in bar order; bars before the first boundary or from
    /// the last on belong to none).
    static func addSegments(
        _ r: UnsafeBufferPointer<Double>, to segments: inout [SegmentSums], boundaries: [Int64], times bars: BarSeries
    ) {
        var j = 0
        for i in 0..<min(r.count, bars.count) where bars.time[i] >= boundaries[0] {
            while j < segments.count && bars.time[i] >= boundaries[j + 1] { j += 1 }
            if j == segments.count { break }
            segments[j].add(r[i])
        }
    }

    @inline(__always)
    static func load(_ r: UnsafeBufferPointer<Double>, _ i: Int) -> SIMD4<Double> {
        UnsafeRawPointer(r.baseAddress! + i).loadUnaligned(as: SIMD4<Double>.self)
    }

    /// A vector's lanes added in one fixed order.
    @inline(__always)
    static func add(_ v: SIMD4<Double>) -> Double { (v[0] + v[1]) + (v[2] + v[3]) }
}
