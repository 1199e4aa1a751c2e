import ATSEngine
import Foundation
import Testing

/// A strategy's series (its plot topics) recorded with the equity, one value per bar, equal to
/// its indicators' own batch outputs, and drawn by the HTML report over the price or below it.
struct PlotSeriesTests {
    static let bars = Fixtures.synthetic(3_000)

    static func session(_ strategy: String) throws -> any BacktestSession {
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:\(strategy)"),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
            portfolio: .init(cash: 100_000))
        var session = try Registry.builtIn.makeSession(
            Registry.builtIn.resolve(spec),
            options: SessionOptions(recordTrades: true, recordEquity: true, recordPlots: true))
        session.run(bars, until: bars.count)
        return session
    }

    @Test func bollingerBreakoutDrawsItsBandsOverThePrice() throws {
        let session = try Self.session("bollinger_breakout")
        #expect(session.plots.map(\.name) == ["upper", "middle", "lower"])
        #expect(session.plots.allSatisfy { $0.pane == .price })
        let (type, p) = try Registry.builtIn.indicator(IndicatorCall(parsing: "bbands"))
        let bands = try type.batch(Self.bars, parameters: p)
        for k in 0..<3 {
            #expect(session.plotValues[k].count == Self.bars.count)
            #expect(session.plotValues[k].map(\.bitPattern) == bands[k].map(\.bitPattern), "series \(k)")
        }
    }

    @Test func macdCrossDrawsItsLinesBelowAndTheReportShowsThem() throws {
        var session = try Self.session("macd_cross")
        #expect(session.plots == [PlotSeries("macd", pane: .below), PlotSeries("signal", pane: .below)])
        let (type, p) = try Registry.builtIn.indicator(IndicatorCall(parsing: "macd"))
        let macd = try type.batch(Self.bars, parameters: p)
        #expect(session.plotValues[0].map(\.bitPattern) == macd[0].map(\.bitPattern))
        #expect(session.plotValues[1].map(\.bitPattern) == macd[1].map(\.bitPattern))
        let stamp = ReproducibilityStamp(
            dataFile: "x", data: Data(), bars: Self.bars.count,
            spec: RunSpec(
                exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
                strategy: ComponentRef(namespace: "strategies:macd_cross"),
                fees: ComponentRef(namespace: "fees:generic"), portfolio: .init(cash: 100_000)))
        var report = HTMLReport(
            title: "t", statistics: session.statistics(barInterval: Self.bars.barInterval), stamp: stamp,
            bars: Self.bars, equity: session.equityCurve, fills: session.takeFills(), trades: session.trades)
        report.plots = Array(zip(session.plots, session.plotValues)).map { (series: $0.0, values: $0.1) }
        let html = report.render()
        #expect(html.contains("<h2>macd, signal</h2>"))
        #expect(html.contains(">signal</text>"), "the second series is named in the pane's legend")
        #expect(!html.contains("<script"))
    }

    @Test func smaCrossDrawsItsAveragesOverThePrice() throws {
        let session = try Self.session("sma_cross")
        #expect(session.plots == [PlotSeries("fast", pane: .price), PlotSeries("slow", pane: .price)])
        // Summed afresh from the window when drawn (the run keeps none): the indicator's values
        // to within rounding, undefined on the same bars.
        for (k, period) in [10, 30].enumerated() {
            let (type, p) = try Registry.builtIn.indicator(IndicatorCall(parsing: "sma:period=\(period)"))
            let sma = try type.batch(Self.bars, parameters: p)[0]
            #expect(session.plotValues[k].map(\.isNaN) == sma.map(\.isNaN), "series \(k)")
            #expect(session.plotValues[k].filter(\.isNaN).count == period - 1)
            let worst = zip(session.plotValues[k], sma).filter { !$0.1.isNaN }.map { abs($0 - $1) / abs($1) }.max() ?? 1
            #expect(worst < 1e-12, "series \(k): \(worst)")
        }
        // What a worker samples is the last bar's value of each.
        #expect(session.plotNow().map(\.bitPattern) == session.plotValues.map { $0.last!.bitPattern })
    }

    /// A sweep's trial records its equity, never its series (a thousand trials would each
    /// compute and store them every bar).
    @Test func seriesAreRecordedOnlyWhenAskedFor() throws {
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:sma_cross"), fees: ComponentRef(namespace: "fees:generic"))
        var session = try Registry.builtIn.makeSession(
            Registry.builtIn.resolve(spec), options: SessionOptions(recordEquity: true, keepFills: false))
        session.run(Self.bars, until: Self.bars.count)
        #expect(session.equityCurve.count == Self.bars.count)
        #expect(session.plots.count == 2 && session.plotValues.isEmpty)
    }

    @Test func aStrategyWithoutSeriesRecordsNone() throws {
        let session = try Self.session("noop")
        #expect(session.plots.isEmpty && session.plotValues.isEmpty)
    }
}
