import ATSEngine
import Foundation
import Testing

/// Accounting defects of issue 16 (#9): a starting base balance, fees taken in base, a FOK order
/// shrunk by the balance, and time spans counted in bars.
struct AccountingTests {
    static let instrument = Instrument(
        base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5)
    static let day: Int64 = 86_400_000

    func bars(_ closes: [Double], times: [Int64]? = nil) -> BarSeries {
        BarSeries(
            closes.enumerated().map { i, c in
                Bar(time: times?[i] ?? Int64(i) * Self.day, open: c, high: c, low: c, close: c, volume: 1_000)
            })
    }

    /// A run that starts holding 1 BTC and does nothing earns exactly what holding earns.
    @Test func aStartingBaseBalanceIsPartOfTheInitialEquity() throws {
        let exchange = SimulatedExchange(
            instrument: Self.instrument, config: SimulationConfig(), fees: GenericFees(rate: 0), cash: 0, baseBalance: 1
        )
        var run = BacktestRun(
            strategy: try NoopStrategy(parameters: Parameters(validating: [:], against: [])), exchange: exchange)
        let series = bars([100, 110, 121])
        run.run(series, until: series.count)
        let s = run.statistics(barInterval: Self.day)
        #expect(s.initialEquity == 100)
        #expect(s.totalReturn == s.buyAndHoldReturn && abs(s.totalReturn - 0.21) < 1e-12)
        #expect(s.cagr.isFinite && s.cagr > 0, "was +inf from 0 initial equity")

        let mixed = SimulatedExchange(
            instrument: Self.instrument, config: SimulationConfig(), fees: GenericFees(rate: 0), cash: 1_000,
            baseBalance: 1)
        var both = BacktestRun(
            strategy: try NoopStrategy(parameters: Parameters(validating: [:], against: [])), exchange: mixed)
        both.run(series, until: series.count)
        #expect(abs(both.statistics(barInterval: Self.day).totalReturn - 21.0 / 1_100) < 1e-12, "was 0.121")
    }

    /// A fee taken in base leaves the wallet holding 0.999 after buying 1: selling those 0.999
    /// closes the round trip, and its P&L is the wallet's own quote change.
    @Test func feesTakenInBaseLetRoundTripsClose() {
        var t = PerformanceTracker(initialEquity: 100)
        let buy = Fill(
            seq: 0, orderId: 1, time: 0, barIndex: 0, side: .buy, price: 100, quantity: 1, feeBase: 0.001,
            feeQuote: 0, liquidity: .taker, tag: "")
        let sell = Fill(
            seq: 1, orderId: 2, time: 1, barIndex: 1, side: .sell, price: 110, quantity: 0.999, feeBase: 0,
            feeQuote: 0.10989, liquidity: .taker, tag: "")
        #expect(t.record(fill: buy, flat: 0.0005) == nil)
        let trip = t.record(fill: sell, flat: 0.0005)
        #expect(trip != nil, "the round trip closes")
        #expect(abs((trip?.pnl ?? 0) - 9.78011) < 1e-9)
        #expect(abs((trip?.quantity ?? 0) - 0.999) < 1e-12)
        #expect(t.openQuantity == 0 && t.roundTrips == 1 && t.wins == 1)
    }

    @Test func aFillOrKillOrderShortOfFundsIsCanceledNotShrunk() {
        var x = SimulatedExchange(
            instrument: Self.instrument, config: SimulationConfig(), fees: GenericFees(rate: 0.001), cash: 10_000)
        x.process(bar: Bar(time: 0, open: 100, high: 101, low: 99, close: 100, volume: 1_000), index: 0)
        let id = x.submit(.limit(.buy, 100, at: 100, timeInForce: .fok))
        x.process(bar: Bar(time: 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1_000), index: 1)
        #expect(x.order(id)?.status == .canceled)
        #expect(x.order(id)?.filledQuantity == 0)
        #expect(x.drainFills().isEmpty)
        #expect(x.wallet.quote.free == 10_000 && x.wallet.quote.held == 0 && x.wallet.base.total == 0)

        var seller = SimulatedExchange(
            instrument: Self.instrument, config: SimulationConfig(), fees: GenericFees(rate: 0.001, chargedOn: .base),
            cash: 0, baseBalance: 1)
        seller.process(bar: Bar(time: 0, open: 100, high: 101, low: 99, close: 100, volume: 1_000), index: 0)
        let sell = seller.submit(.limit(.sell, 1, at: 100, timeInForce: .fok))
        seller.process(bar: Bar(time: 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1_000), index: 1)
        #expect(seller.order(sell)?.status == .canceled && seller.wallet.base.total == 1, "sold 0.999 before")
    }

    /// Daily equity bars skip weekends and holidays: years come from the timestamps, periods per
    /// year from the bars the data has per calendar year. backtesting.py's GOOG set spans
    /// 2004-08-19 to 2013-03-01 in 2,148 bars; a ×5.56 run read CAGR 33.9% (2,148 days) where
    /// 22.3% is right.
    @Test func timeSpansComeFromTimestampsNotBarCounts() {
        var t = PerformanceTracker(initialEquity: 100)
        t.bars = 2_148
        t.returnsCount = 2_148
        t.firstTime = 1_092_873_600_000  // 2004-08-19
        t.lastTime = 1_362_096_000_000  // 2013-03-01
        t.equity = 556
        let s = BacktestStatistics(tracker: t, orders: 0, rejectedOrders: 0, barInterval: Self.day)
        let years = Double(t.lastTime - t.firstTime + Self.day) / (365.25 * Double(Self.day))
        #expect(abs(s.cagr - (pow(5.56, 1 / years) - 1)) < 1e-12)
        #expect(abs(s.cagr - 0.2227) < 0.0005, "\(s.cagr)")
    }

    /// A drawdown over a weekend lasts the days it lasts, not its bar count.
    @Test func drawdownDurationIsMeasuredInTime() {
        // Wed 100 (peak), Thu 90, Fri 95, Mon 99, Tue 101: below the peak from Thu to Tue.
        var t = PerformanceTracker(initialEquity: 100)
        let days: [Int64] = [0, 1, 2, 5, 6]
        let equity: [Double] = [100, 90, 95, 99, 101]
        for (d, e) in zip(days, equity) {
            let bar = Bar(time: d * Self.day, open: 1, high: 1, low: 1, close: 1, volume: 1)
            t.recordBars(count: 1, first: bar, last: bar)
            t.record(equity: e, position: 0, time: d * Self.day)
        }
        let s = BacktestStatistics(tracker: t, orders: 0, rejectedOrders: 0, barInterval: Self.day)
        #expect(s.maxDrawdownBars == 3)
        #expect(s.maxDrawdownDuration == 5 * 86_400, "Thu to Tue: five days, not three bars")
    }

    /// Data without gaps keeps its figures (the 162-run matrix pins the bits).
    @Test func gaplessDataKeepsBarsTimesInterval() {
        var t = PerformanceTracker(initialEquity: 100)
        t.bars = 1_000
        t.returnsCount = 1_000
        t.firstTime = 0
        t.lastTime = 999 * 60_000
        t.equity = 110
        let s = BacktestStatistics(tracker: t, orders: 0, rejectedOrders: 0, barInterval: 60_000)
        let yearMs = 365.25 * 24 * 3_600_000
        #expect(s.cagr == pow(110.0 / 100, 1 / (1_000 * 60_000 / yearMs)) - 1)
    }
}
