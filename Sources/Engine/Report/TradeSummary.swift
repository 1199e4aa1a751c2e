/// The seed's end-of-run report beside the statistics: the distribution of P&L per round trip
/// (percentiles, nearest rank over the sorted values) and the equity a run would have had
/// trading nothing — holding its starting balances, marked at each bar's close.
public struct TradeSummary: Sendable, Hashable {
    /// The percentiles reported, in percent.
    public static let levels = [5, 25, 50, 75, 95]

    /// P&L per round trip at each of ``levels`` (empty without trades).
    public var pnlPercentiles: [Double]
    public var best: Double?
    public var worst: Double?

    public init(trades: [RoundTrip]) { self.init(pnls: trades.map(\.pnl)) }

    /// Over the round trips' P&L, in any order.
    public init(pnls: [Double]) {
        let sorted = pnls.sorted()
        pnlPercentiles = sorted.isEmpty ? [] : Self.levels.map { Self.percentile(sorted, $0) }
        best = sorted.last
        worst = sorted.first
    }

    /// The nearest-rank percentile `p` (1…100) of ascending `sorted` values.
    static func percentile(_ sorted: [Double], _ p: Int) -> Double {
        let rank = Int((Double(p) / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Equity at each close holding the starting balances: `base · close + cash`.
    public static func noTradeBaseline(_ portfolio: RunSpec.Portfolio, closes: [Double]) -> [Double] {
        closes.map { portfolio.base * $0 + portfolio.cash }
    }
}
