import ATSEngine
import Foundation
import Testing

struct ReportTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Fed in odd pieces, the same digest.
        var h = SHA256()
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var i = 0
        while i < million.count {
            let n = min(777, million.count - i)
            h.update(million[i..<(i + n)])
            i += n
        }
        let digest = h.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
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
        #expect(html.contains(stamp.dataSHA256) && html.contains("test &lt;report&gt;"))
        #expect(
            !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
            "no network, no scripts")
    }
}
