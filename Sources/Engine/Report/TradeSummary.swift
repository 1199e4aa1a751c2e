/// The seed's end-of-run report beside the statistics: the distribution of P&L per round trip
/// (percentiles, nearest rank over the sorted values) and the equity a run would have had
/// trading nothing — holding its starting balances, marked at each bar's close.
public struct TradeSummary: Sendable, Hashable, Encodable {
    /// The percentiles reported, in percent.
    public static let levels = [5, 25, 50, 75, 95]

    /// P&L per round trip at each of ``levels`` (empty without trades).
    public var pnlPercentiles: [Double]
    public var best: Double?
    public var worst: Double?
    /// The equity at the last close, and its return, of trading nothing: the starting balances
    /// held from the first close (nil unless given them: ``init(trades:portfolio:firstClose:lastClose:)``).
    public var noTradeEquity: Double?
    public var noTradeReturn: Double?

    public init(trades: [RoundTrip]) { self.init(pnls: trades.map(\.pnl)) }

    /// With the no-trade baseline over a run from `firstClose` to `lastClose`.
    public init(trades: [RoundTrip], portfolio: RunSpec.Portfolio, firstClose: Double, lastClose: Double) {
        self.init(trades: trades)
        let start = portfolio.base * firstClose + portfolio.cash
        noTradeEquity = portfolio.base * lastClose + portfolio.cash
        noTradeReturn = start != 0 ? noTradeEquity! / start - 1 : 0
    }

    enum CodingKeys: String, CodingKey {
        case best, worst
        case pnlPercentiles = "pnl_percentiles"
        case noTradeEquity = "no_trade_final_equity"
        case noTradeReturn = "no_trade_return"
    }

    /// `{"pnl_percentiles": {"p5": …, …, "p95": …}, "worst", "best", "no_trade_final_equity",
    /// "no_trade_return"}`; without trades the percentiles are `{}` and worst and best null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let named = Dictionary(uniqueKeysWithValues: zip(Self.levels.map { "p\($0)" }, pnlPercentiles))
        try c.encode(named, forKey: .pnlPercentiles)
        try c.encode(worst, forKey: .worst)
        try c.encode(best, forKey: .best)
        try c.encodeIfPresent(noTradeEquity, forKey: .noTradeEquity)
        try c.encodeIfPresent(noTradeReturn, forKey: .noTradeReturn)
    }

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
