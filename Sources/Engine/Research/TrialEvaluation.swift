/// Runs one trial of a sweep: the base run with the trial's parameters over the bars, and the
/// per-bar returns of its equity reduced to what the statistics need (``TrialOutcome``).
public enum TrialEvaluation {
    /// The blocks of the data's span whose return sums a trial keeps (PBO by CSCV: 12,870 splits).
    public static let blocks = 16

    /// The trial `index` with `parameters` set on the base run's strategy. The bars are shared by
    /// every trial (read only); a trial whose parameters the strategy refuses comes back with its
    /// reason and flat returns. With walk-forward, `boundaries` (``WalkForward/boundaries(_:)``)
    /// cut the span into the segments whose sums the trial keeps (a return is its bar's).
    public static func run(
        index: Int, parameters: [String: ParameterValue], base: RunSpec, bars: BarSeries, registry: Registry,
        blocks: Int, boundaries: [Int64] = []
    ) -> TrialOutcome {
        var spec = base
        for (name, value) in parameters { spec.strategy.config[name] = value }
        var returns: [Double] = []
        var statistics: BacktestStatistics?
        var failure: String?
        do {
            let resolved = try registry.resolve(spec)
            var session = try registry.makeSession(
                resolved, options: SessionOptions(recordTrades: false, recordEquity: true, keepFills: false))
            session.run(bars, until: bars.count)
            let stats = session.statistics(barInterval: bars.barInterval)
            statistics = stats
            let equity = session.equityCurve
            returns.reserveCapacity(equity.count)
            // From the starting equity (cash, and any starting base at the first price).
            var previous = stats.initialEquity
            for e in equity {
                returns.append(previous != 0 ? e / previous - 1 : 0)
                previous = e
            }
        } catch {
            failure = "\(error)"
            returns = [Double](repeating: 0, count: bars.count)
        }
        var counts = [Double](repeating: 0, count: blocks)
        var sums = [Double](repeating: 0, count: blocks)
        var squares = [Double](repeating: 0, count: blocks)
        let n = returns.count
        for b in 0..<blocks {
            for i in (b * n / blocks)..<((b + 1) * n / blocks) {
                sums[b] += returns[i]
                squares[b] += returns[i] * returns[i]
            }
            counts[b] = Double((b + 1) * n / blocks - b * n / blocks)
        }
        var segments: [SegmentSums] = []
        if boundaries.count >= 2 {
            segments = [SegmentSums](repeating: SegmentSums(), count: boundaries.count - 1)
            var j = 0
            for i in 0..<min(n, bars.count) where bars.time[i] >= boundaries[0] {
                while j < segments.count && bars.time[i] >= boundaries[j + 1] { j += 1 }
                if j == segments.count { break }
                segments[j].add(returns[i])
            }
        }
        return TrialOutcome(
            index: index, parameters: parameters, statistics: statistics, failure: failure,
            moments: ReturnMoments(returns: returns), blockCounts: counts, blockSums: sums, blockSquares: squares,
            segments: segments)
    }
}
