import ATSEngine
import Foundation
import Testing

struct ReportTests {
    @Test func xxh64MatchesTheReferenceImplementation() {
        // Values from Python's xxhash.xxh64(…, seed=0).
        #expect(XXH64.hex([UInt8]()) == "ef46db3751d8e999")
        #expect(XXH64.hex(Array("a".utf8)) == "d24ec4f1a98c6e5b")
        #expect(XXH64.hex(Array("abc".utf8)) == "44bc2cf5ad770999")
        #expect(XXH64.hex(Array(String(repeating: "0123456789", count: 10).utf8)) == "f80e7b96315afffa")
        #expect(XXH64.hex(Array((0..<768).map { UInt8($0 % 256) })) == "8e03c838c596036f")
    }

    @Test func theReportIsSelfContainedAndHasEverySection() throws {
        let bars = SyntheticBars(seed: 5).generate(count: 20_000)
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:sma_cross", config: ["fast": .int(20), "slow": .int(80)]))
        let run = try Registry.builtIn.resolve(spec)
        var session = try Registry.builtIn.makeSession(
            run, options: SessionOptions(recordTrades: true, recordEquity: true))
        session.run(bars, until: bars.count)
        let stats = session.statistics(barInterval: bars.barInterval)
        let csv = Data(BarCSVWriter.csv(bars).utf8)
        let stamp = ReproducibilityStamp(
            dataFile: "bars.csv", data: csv, bars: bars.count, spec: try Registry.builtIn.normalized(spec))
        let fills = session.takeFills()
        let html = HTMLReport(
            title: "test <report>", statistics: stats, stamp: stamp, bars: bars, equity: session.equityCurve,
            fills: fills,
            trades: session.trades
        ).render()
        #expect(session.trades.count == stats.roundTrips && stats.roundTrips > 10)
        #expect(session.equityCurve.count == bars.count)
        for section in ["Statistics", "Equity", "Drawdown", "Price and trades", "Trades", "Reproducibility"] {
            #expect(html.contains("<h2>\(section)</h2>"), "\(section)")
        }
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        #expect(html.components(separatedBy: "class=\"buy\"").count - 1 == fills.filter { $0.side == .buy }.count)
        #expect(html.components(separatedBy: "<tr>").count - 1 == stats.roundTrips + 1)
        #expect(html.contains(stamp.dataHash) && html.contains("test &lt;report&gt;"))
        #expect(
            !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
            "no network, no scripts")
    }
}
