import ATSTestSupport
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import Testing

/// `ats data download` against the fake venue (its own process): the candles the venue closed,
/// written exactly as it wrote them, in a file `ats backtest` reads; a venue's refusal named.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DataDownloadTests {
    func ats(_ arguments: [String]) async throws -> (Int32, String) {
        let p = try ChildProcess("ats", name: "ats", environment: [:], arguments: arguments)
        guard let status = await p.waitForExit(timeout: .seconds(60)) else {
            p.signal(SIGKILL)
            throw TestEnvironmentError("ats \(arguments.joined(separator: " ")) did not finish")
        }
        return (status, p.log)
    }

    @Test func candlesAreDownloadedExactlyIntoAFileTheBacktestReads() async throws {
        let venue = try await FakeVenueProcess(tickMs: 20, volatility: 0.002)
        defer { Task { await venue.stop() } }
        let from = Int64(Date().timeIntervalSince1970 * 1_000)
        try await Task.sleep(for: .seconds(5))
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, log) = try await ats([
            "data", "download", "--venue", "local:\(venue.port)", "--symbol", "BTCUSDT", "--interval", "1s",
            "--from", String(from), "--out", out,
        ])
        #expect(status == 0, "\(log)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "timestamp,open,high,low,close,volume")
        let rows = Array(lines.dropFirst())
        #expect(rows.count >= 3, "\(rows.count) candles in 5 s")

        // The venue's own candles over the same span, as it writes them.
        let client = try BinanceRESTClient(endpoint: venue.endpoint, credentials: nil, logger: Logger(label: "dl-test"))
        let r = try await client.send(
            .GET, "/api/v3/klines",
            [("symbol", "BTCUSDT"), ("interval", "1s"), ("startTime", String(from - from % 1_000)), ("limit", "1000")],
            weight: 2)
        let venueRows = try BinanceKline.rows(Data(r.body), symbol: "BTCUSDT", interval: "1s", venueNowMs: Int64.max)
            .prefix(rows.count).map { "\($0.openTime),\($0.open),\($0.high),\($0.low),\($0.close),\($0.volume)" }
        #expect(rows == Array(venueRows))

        let backtest = try await ats([
            "backtest", "--data", out, "--strategy", "sma_cross", "--param", "fast=1", "--param", "slow=2",
        ])
        #expect(backtest.0 == 0, "\(backtest.1)")

        // A symbol the venue does not list: its refusal, named, and no file.
        let missing = out + ".none"
        let refused = try await ats([
            "data", "download", "--venue", "local:\(venue.port)", "--symbol", "ETHBTC", "--from", String(from), "--out",
            missing,
        ])
        #expect(refused.0 == 3 && refused.1.contains("Invalid symbol"), "\(refused.1)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    /// Candles made from the venue's public trades are its own klines at 1s, and any length that
    /// divides a day (5s here, which the venue does not offer) sums them exactly.
    @Test func candlesMadeFromTradesAreTheVenuesOwnAtAnyLength() async throws {
        let venue = try await FakeVenueProcess(tickMs: 20, volatility: 0.002)
        defer { Task { await venue.stop() } }
        let from = Int64(Date().timeIntervalSince1970 * 1_000)
        try await Task.sleep(for: .seconds(12))
        let to = Int64(Date().timeIntervalSince1970 * 1_000) - 2_000
        func download(_ extra: [String]) async throws -> [String] {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID().uuidString).csv").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let (status, log) = try await ats(
                [
                    "data", "download", "--venue", "local:\(venue.port)", "--symbol", "BTCUSDT", "--from", String(from),
                    "--to", String(to), "--out", out,
                ] + extra)
            #expect(status == 0, "\(log)")
            return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
        }
        let klines = try await download(["--interval", "1s"])
        let fromTrades = try await download(["--interval", "1s", "--from-trades"])
        #expect(klines.count >= 8, "\(klines.count) candles in 10 s")
        #expect(fromTrades == klines)

        // 5-second candles: the 1-second ones of each whole 5 seconds in the span, folded.
        let five = try await download(["--interval", "5s", "--from-trades"])
        let seconds = klines.map { $0.split(separator: ",").map(String.init) }
        var expected: [String] = []
        var k = 0
        while k < seconds.count {
            let start = Int64(seconds[k][0])!
            guard start % 5_000 == 0, k + 5 <= seconds.count else {
                k += 1
                continue
            }
            let group = seconds[k..<(k + 5)]
            let high = group.map { VenueDecimal($0[2])! }.max()!
            let low = group.map { VenueDecimal($0[3])! }.min()!
            let volume = group.reduce(VenueDecimal.zero) { $0 + VenueDecimal($1[5])! }
            expected.append("\(start),\(group.first![1]),\(high),\(low),\(group.last![4]),\(volume)")
            k += 5
        }
        #expect(expected.count >= 1)
        #expect(expected.allSatisfy(five.contains), "5 s from trades: \(five); folded: \(expected)")

        let refused = try await ats([
            "data", "download", "--venue", "local:\(venue.port)", "--symbol", "BTCUSDT", "--from", String(from),
            "--interval", "7s", "--from-trades", "--out", "/tmp/never.csv",
        ])
        #expect(refused.0 != 0 && refused.1.contains("divides a day"), "\(refused.1)")
    }
}
