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

    /// The points kept of `values[0..<n]` in `buckets` buckets: each bucket's lowest and highest,
    /// in order, and the first and the last point always.
    static func picks(_ values: [Double], count n: Int, buckets: Int) -> [Int] {
        guard n > 0 else { return [] }
        let columns = max(1, buckets)
        var picked: [Int] = [0]
        picked.reserveCapacity(2 * columns + 2)
        for c in 0..<columns {
            let (from, to) = (c * n / columns, (c + 1) * n / columns)
            guard from < to else { continue }
            var (lo, hi) = (from, from)
            for i in from..<to {
                if values[i] < values[lo] { lo = i }
                if values[i] > values[hi] { hi = i }
            }
            for i in lo == hi ? [lo] : [min(lo, hi), max(lo, hi)] where i > picked[picked.count - 1] {
                picked.append(i)
            }
        }
        if picked[picked.count - 1] != n - 1 { picked.append(n - 1) }
        return picked
    }

    /// This curve sampled into `buckets` buckets the same way (each bucket's low and high equity, in
    /// time order; the first and last points always).
    public func resampled(buckets: Int) -> TrialCurve {
        guard equity.count > 2 * buckets + 2 else { return self }
        let picked = Self.picks(equity, count: equity.count, buckets: buckets)
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
        let picked = Self.picks(equity, count: n, buckets: buckets)
        let first = n > 0 ? bars.close[0] : 0
        return TrialCurve(
            statistics: statistics, times: picked.map { bars.time[$0] }, equity: picked.map { equity[$0] },
            buyAndHold: picked.map {
                first > 0 ? statistics.initialEquity * bars.close[$0] / first : statistics.initialEquity
            })
    }
}
