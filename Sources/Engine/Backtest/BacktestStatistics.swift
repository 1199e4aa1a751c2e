import Foundation

/// The numbers traders compare runs by. Formulas (docs/ENGINE.md): returns are bar-to-bar equity
/// changes marked at the close; time spans come from the bars' timestamps (a year is 365.25 days);
/// periods per year are the bars the data has per calendar year (365.25 days ÷ the interval for
/// data without gaps, about 252 for daily equity bars); the risk-free rate is 0.
public struct BacktestStatistics: Sendable, Hashable, Codable {
    public var bars: Int
    public var orders: Int
    public var rejectedOrders: Int
    public var fills: Int
    public var roundTrips: Int
    public var initialEquity: Double
    public var finalEquity: Double
    public var totalFees: Double
    public var totalReturn: Double
    public var cagr: Double
    public var sharpe: Double
    public var sortino: Double
    public var calmar: Double
    public var maxDrawdown: Double
    /// Longest time below a previous equity peak, in seconds and in bars.
    public var maxDrawdownDuration: Double
    public var maxDrawdownBars: Int
    public var winRate: Double
    public var profitFactor: Double
    public var expectancy: Double
    public var exposure: Double
    public var buyAndHoldReturn: Double

    enum CodingKeys: String, CodingKey {
        case bars, orders, fills, cagr, sharpe, sortino, calmar, expectancy, exposure
        case rejectedOrders = "rejected_orders"
        case roundTrips = "round_trips"
        case initialEquity = "initial_equity"
        case finalEquity = "final_equity"
        case totalFees = "total_fees"
        case totalReturn = "total_return"
        case maxDrawdown = "max_drawdown"
        case maxDrawdownDuration = "max_drawdown_duration"
        case maxDrawdownBars = "max_drawdown_bars"
        case winRate = "win_rate"
        case profitFactor = "profit_factor"
        case buyAndHoldReturn = "buy_and_hold_return"
    }

    /// Every statistic given (``TrialRecords`` reading them back).
    init(
        bars: Int, orders: Int, rejectedOrders: Int, fills: Int, roundTrips: Int, initialEquity: Double,
        finalEquity: Double, totalFees: Double, totalReturn: Double, cagr: Double, sharpe: Double, sortino: Double,
        calmar: Double, maxDrawdown: Double, maxDrawdownDuration: Double, maxDrawdownBars: Int, winRate: Double,
        profitFactor: Double, expectancy: Double, exposure: Double, buyAndHoldReturn: Double
    ) {
        self.bars = bars
        self.orders = orders
        self.rejectedOrders = rejectedOrders
        self.fills = fills
        self.roundTrips = roundTrips
        self.initialEquity = initialEquity
        self.finalEquity = finalEquity
        self.totalFees = totalFees
        self.totalReturn = totalReturn
        self.cagr = cagr
        self.sharpe = sharpe
        self.sortino = sortino
        self.calmar = calmar
        self.maxDrawdown = maxDrawdown
        self.maxDrawdownDuration = maxDrawdownDuration
        self.maxDrawdownBars = maxDrawdownBars
        self.winRate = winRate
        self.profitFactor = profitFactor
        self.expectancy = expectancy
        self.exposure = exposure
        self.buyAndHoldReturn = buyAndHoldReturn
    }

    public init(tracker t: PerformanceTracker, orders: Int, rejectedOrders: Int, barInterval: Int64) {
        bars = t.bars
        self.orders = orders
        self.rejectedOrders = rejectedOrders
        fills = t.fills
        roundTrips = t.roundTrips
        initialEquity = t.initialEquity
        finalEquity = t.equity
        totalFees = t.totalFees
        totalReturn = t.initialEquity != 0 ? t.equity / t.initialEquity - 1 : 0
        let yearMs = 365.25 * 24 * 3_600_000
        // The span the bars cover: first to last timestamp, plus the last bar's own interval.
        // Without gaps that is bars × interval exactly, so such runs keep their bits.
        let span = t.lastTime - t.firstTime
        let gapless = t.bars < 2 || span == Int64(t.bars - 1) * barInterval
        let years = t.bars > 0 ? Double(span + barInterval) / yearMs : 0
        let periodsPerYear =
            barInterval <= 0 ? 0 : gapless ? yearMs / Double(barInterval) : Double(t.bars - 1) * yearMs / Double(span)
        cagr = years > 0 && t.equity > 0 ? pow(t.equity / t.initialEquity, 1 / years) - 1 : 0
        let n = Double(t.returnsCount)
        let mean = n > 0 ? t.returnsSum / n : 0
        let variance = n > 1 ? max(0, (t.returnsSquares - t.returnsSum * mean) / (n - 1)) : 0
        sharpe = variance > 0 ? mean / variance.squareRoot() * periodsPerYear.squareRoot() : 0
        let downside = n > 0 ? (t.downsideSquares / n).squareRoot() : 0
        sortino = downside > 0 ? mean / downside * periodsPerYear.squareRoot() : 0
        maxDrawdown = t.maxDrawdown
        calmar = t.maxDrawdown > 0 ? cagr / t.maxDrawdown : 0
        maxDrawdownBars = t.maxDrawdownBars
        // From timestamps: the longest stretch below a peak that recovered, or the one still open
        // at the end, whichever is longer (bars × interval for checkpoints that predate this).
        var longest = t.maxDrawdownMs.map(Double.init) ?? Double(t.maxDrawdownBars) * Double(barInterval)
        if t.barsSincePeak > 0, let start = t.drawdownStart, t.maxDrawdownMs != nil {
            longest = max(longest, Double(t.lastTime - start + barInterval))
        }
        maxDrawdownDuration = longest / 1000
        winRate = t.roundTrips > 0 ? Double(t.wins) / Double(t.roundTrips) : 0
        profitFactor = t.grossLoss > 0 ? t.grossProfit / t.grossLoss : (t.grossProfit > 0 ? .infinity : 0)
        expectancy = t.roundTrips > 0 ? (t.grossProfit - t.grossLoss) / Double(t.roundTrips) : 0
        exposure = t.bars > 0 ? Double(t.exposedBars) / Double(t.bars) : 0
        buyAndHoldReturn = t.firstPrice > 0 ? t.lastPrice / t.firstPrice - 1 : 0
    }
}
