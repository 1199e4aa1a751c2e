/// One trial's equity over the bars, for a person to look at (the dashboard's sweep page, the
/// sweep's HTML report): the run with the trial's parameters, its statistics (the same bits as the
/// sweep stored for it), and its equity beside holding the starting equity in the base asset,
/// sampled to a few hundred bars — each bucket's lowest and highest equity, in time order, so no
/// drawdown is smoothed away.
public struct TrialCurve: Sendable, Codable, Equatable {
    public var statistics: BacktestStatistics
    /// The sampled bars' times (epoch ms), equity, and the starting equity held in the base asset.
    public var times: [Int64]
    public var equity: [Double]
    public var buyAndHold: [Double]

    enum CodingKeys: String, CodingKey {
        case statistics, times, equity
        case buyAndHold = "buy_and_hold"
    }

    public init(statistics: BacktestStatistics, times: [Int64], equity: [Double], buyAndHold: [Double]) {
        self.statistics = statistics
        self.times = times
        self.equity = equity
        self.buyAndHold = buyAndHold
    }

    /// This curve sampled into `buckets` buckets the same way (each bucket's low and high equity, in
    /// time order; the first and last points always).
    public func resampled(buckets: Int) -> TrialCurve {
        let n = equity.count
        guard n > 2 * buckets + 2 else { return self }
        var picked: [Int] = [0]
        for c in 0..<buckets {
            let (from, to) = (c * n / buckets, (c + 1) * n / buckets)
            guard from < to else { continue }
            var (lo, hi) = (from, from)
            for i in from..<to {
                if equity[i] < equity[lo] { lo = i }
                if equity[i] > equity[hi] { hi = i }
            }
            for i in lo == hi ? [lo] : [min(lo, hi), max(lo, hi)] where i > picked.last! { picked.append(i) }
        }
        if picked.last != n - 1 { picked.append(n - 1) }
        return TrialCurve(
            statistics: statistics, times: picked.map { times[$0] }, equity: picked.map { equity[$0] },
            buyAndHold: picked.map { buyAndHold[$0] })
    }

    /// `run` over `bars`, sampled into `buckets` buckets (two bars each at most, and the last bar).
    /// Throws what the strategy throws for parameters it refuses.
    public static func run(_ run: RunSpec, bars: BarSeries, registry: Registry, buckets: Int) throws -> TrialCurve {
        var session = try registry.makeSession(
            registry.resolve(run), options: SessionOptions(recordTrades: false, recordEquity: true, keepFills: false))
        session.run(bars, until: bars.count)
        let statistics = session.statistics(barInterval: bars.barInterval)
        let equity = session.equityCurve
        let n = min(equity.count, bars.count)
        var picked: [Int] = []
        let columns = max(1, buckets)
        picked.reserveCapacity(2 * columns + 1)
        for c in 0..<columns {
            let (from, to) = (c * n / columns, (c + 1) * n / columns)
            guard from < to else { continue }
            var (lo, hi) = (from, from)
            for i in from..<to {
                if equity[i] < equity[lo] { lo = i }
                if equity[i] > equity[hi] { hi = i }
            }
            picked += lo == hi ? [lo] : [min(lo, hi), max(lo, hi)]
        }
        // The first bar and the last always: the chart spans the data.
        if n > 0 && picked.first != 0 { picked.insert(0, at: 0) }
        if let last = picked.last, last != n - 1, n > 0 { picked.append(n - 1) }
        let first = n > 0 ? bars.close[0] : 0
        return TrialCurve(
            statistics: statistics, times: picked.map { bars.time[$0] }, equity: picked.map { equity[$0] },
            buyAndHold: picked.map {
                first > 0 ? statistics.initialEquity * bars.close[$0] / first : statistics.initialEquity
            })
    }
}
