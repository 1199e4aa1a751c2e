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
    /// run again: only its strategy's parameters are checked (``Registry/session(strategyConfig:onto:options:)``),
    /// with the same outcome, failures' reasons included.
    public static func run(
        index: Int, parameters: [String: ParameterValue], base: RunSpec, bars: BarSeries, registry: Registry,
        blocks: Int, boundaries: [Int64] = [], stop: EarlyStop.Rule? = nil, barInterval: Int64? = nil,
        resolvedBase: ResolvedRun? = nil
    ) -> TrialOutcome {
        // The bars' interval (a median of their gaps, a sort): once per sweep, not per trial, when
        // the caller gives it — over a few thousand bars it was a fifth of a trial.
        let interval = barInterval ?? bars.barInterval
        var spec = base
        for (name, value) in parameters { spec.strategy.config[name] = value }
        var statistics: BacktestStatistics?
        var failure: String?
        var equity: [Double] = []
        var start = 0.0
        // A trial stopped early keeps its sums over the folds it ran (walk-forward may still choose
        // it for those: leaving it out would choose among trials filtered on those folds' tests).
        var stoppedSegments: [SegmentSums]?
        do {
            let options = SessionOptions(recordTrades: false, recordEquity: true, keepFills: false)
            var session: any BacktestSession
            if let resolvedBase {
                session = try registry.session(
                    strategyConfig: spec.strategy.config, onto: resolvedBase, options: options)
            } else {
                session = try registry.makeSession(try registry.resolve(spec), options: options)
            }
            if let stop, boundaries.count >= 2 {
                for (k, time) in stop.checkpoints.enumerated() {
                    session.run(bars, until: firstBar(bars, atOrAfter: time))
                    let segments = segmentSums(
                        session.equityCurve, start: session.statistics(barInterval: interval).initialEquity,
                        bars: bars, boundaries: boundaries)
                    if stop.stops(stop.value(segments: segments, bounds: boundaries, through: k), at: k) {
                        stoppedSegments = segments
                        throw Stopped(fold: k + 1)
                    }
                }
            }
            session.run(bars, until: bars.count)
            let stats = session.statistics(barInterval: interval)
            statistics = stats
            equity = session.takeEquityCurve()
            // Returns from the starting equity (cash, and any starting base at the first price).
            start = stats.initialEquity
        } catch {
            failure = "\(error)"
        }
        // The returns written over the equity, which the trial alone holds (no second array: a
        // trial over 1M bars would write 8 MB more), each once: the two passes below (the sums,
        // then the centred moments) read them. A trial that could not run has flat returns over
        // every bar.
        let failed = failure != nil
        let n = failed ? bars.count : equity.count
        equity.withUnsafeMutableBufferPointer { e in
            var previous = start
            for i in e.indices {
                let value = e[i]
                e[i] = previous != 0 ? value / previous - 1 : 0
                previous = value
            }
        }
        let reduced = equity.withUnsafeBufferPointer { r in
            Reduction(count: n, blocks: blocks, boundaries: boundaries, times: bars) { i in failed ? 0 : r[i] }
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

    /// The segment sums of the returns of `equity` so far, added in bar order as ``Reduction``
    /// adds them: a segment whole before the last bar has the bits it will have in the record.
    static func segmentSums(_ equity: [Double], start: Double, bars: BarSeries, boundaries: [Int64]) -> [SegmentSums] {
        var segments = [SegmentSums](repeating: SegmentSums(), count: boundaries.count - 1)
        var j = 0
        for i in 0..<min(equity.count, bars.count) where bars.time[i] >= boundaries[0] {
            while j < segments.count && bars.time[i] >= boundaries[j + 1] { j += 1 }
            if j == segments.count { break }
            let previous = i == 0 ? start : equity[i - 1]
            segments[j].add(previous != 0 ? equity[i] / previous - 1 : 0)
        }
        return segments
    }
}

/// A trial's per-bar returns reduced to what the statistics need, in two passes over a function
/// that gives return `i` (the same sums, in the same order, as reducing a stored array).
struct Reduction {
    var moments: ReturnMoments
    var counts: [Double]
    var sums: [Double]
    var squares: [Double]
    var segments: [SegmentSums]

    @inline(__always)
    init(count n: Int, blocks: Int, boundaries: [Int64], times bars: BarSeries, _ r: (Int) -> Double) {
        counts = [Double](repeating: 0, count: blocks)
        sums = [Double](repeating: 0, count: blocks)
        squares = [Double](repeating: 0, count: blocks)
        segments = boundaries.count >= 2 ? [SegmentSums](repeating: SegmentSums(), count: boundaries.count - 1) : []
        // Pass one: the total, each block's sums (the blocks partition the bars), each segment's.
        // Each block's sums in registers (the same additions in the same order as adding into the
        // arrays, which kept a chain through memory per value).
        var total = 0.0
        for b in 0..<blocks {
            let (from, to) = (b * n / blocks, (b + 1) * n / blocks)
            counts[b] = Double(to - from)
            var (sum, square) = (0.0, 0.0)
            for i in from..<to {
                let x = r(i)
                total += x
                sum += x
                square += x * x
            }
            sums[b] = sum
            squares[b] = square
        }
        if !segments.isEmpty {
            var j = 0
            for i in 0..<min(n, bars.count) where bars.time[i] >= boundaries[0] {
                while j < segments.count && bars.time[i] >= boundaries[j + 1] { j += 1 }
                if j == segments.count { break }
                segments[j].add(r(i))
            }
        }
        // Pass two: the centred sums.
        let mean = n > 0 ? total / Double(n) : 0
        var (m2, m3, m4) = (0.0, 0.0, 0.0)
        for i in 0..<n {
            let d = r(i) - mean
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        }
        moments = ReturnMoments(count: n, sum: total, m2: m2, m3: m3, m4: m4)
    }
}
