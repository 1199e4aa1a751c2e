import ATSEngine
import ATSShared
import ATSTestSupport
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import Testing

/// A paper job on a live market: the fake venue (its own process) moves its price every 50 ms
/// and closes a 1-second candle every second; the job trades each closed candle. Killed with
/// `kill -9` mid-run and resumed on another worker, it refetches the candles it missed and makes
/// the same fills again (the coordinator would fail it as diverged otherwise); its stream dropped by
/// the venue, it reconnects and misses no candle; in the end its fills are exactly an in-process
/// backtest's over the venue's own candles, every candle once.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PaperOnLiveTests {
    static func spec(port: Int) -> JobSpec {
        JobSpec(
            name: "paper-live", mode: .paper, data: DataSource(path: ""),
            run: RunSpec(
                exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: [:]),
                strategy: ComponentRef(
                    namespace: "strategies:simple",
                    config: ["seed": .int(5), "probability": .double(0.4), "max_fraction": .double(0.5)]),
                fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
                portfolio: .init(cash: 10_000)),
            market: MarketSource(endpoint: "local:\(port)", symbol: "BTCUSDT", interval: "1s"))
    }

    @Test func aPaperJobTradesLiveCandlesAndResumesWithTheSameFills() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        let spec = Self.spec(port: venue.port)
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "4000", "ATS_HEARTBEAT_MS": "500"]) {
            cluster in
            let w1 = try cluster.startWorker("w1")
            _ = try await cluster.create(spec)
            // Killed before its first periodic checkpoint (10 s): only the one at its first candle
            // is on record, and the candles since are fetched again and traded the same way.
            try await waitUntil("four candles traded", timeout: .seconds(60)) {
                try await cluster.job("paper-live").barsDone >= 4
            }
            w1.signal(SIGKILL)
            try cluster.startWorker("w2")
            try await waitUntil("resumed on w2", timeout: .seconds(60)) {
                let j = try await cluster.job("paper-live")
                return j.epoch >= 2 && j.status == .running && j.leaseOwner == "w2"
            }
            let resumedAt = try await cluster.job("paper-live").barsDone
            try await waitUntil("three more candles", timeout: .seconds(60)) {
                try await cluster.job("paper-live").barsDone >= resumedAt + 3
            }
            // The venue drops every stream: the worker's kline stream reconnects and the candles
            // closed meanwhile are fetched, in order, none twice.
            try await venue.inject(["kind": "dropStreams"])
            let droppedAt = try await cluster.job("paper-live").barsDone
            try await waitUntil("three candles after the drop", timeout: .seconds(60)) {
                try await cluster.job("paper-live").barsDone >= droppedAt + 3
            }
            #expect(try await cluster.request("POST", "api/jobs/paper-live/stop").status == 200)
            try await waitUntil("stopped", timeout: .seconds(30)) {
                try await cluster.job("paper-live").status == .stopped
            }
            let job = try await cluster.job("paper-live")
            #expect(job.lastError == nil)
            let rows = try await cluster.fills("paper-live")
            #expect(rows.count >= 2, "the random strategy at 0.4 per candle traded \(rows.count) times")
            #expect(rows.map(\.seq) == Array(0..<Int64(rows.count)), "fills lost or stored twice")

            // The same candles through the engine in this process: the same fills.
            let first = try #require(rows.first)
            let firstOpen = first.timeMs - first.barIndex * 1_000
            let client = try BinanceRESTClient(
                endpoint: venue.endpoint, credentials: nil, logger: Logger(label: "paper-live-test"))
            let r = try await client.send(
                .GET, "/api/v3/klines",
                [("symbol", "BTCUSDT"), ("interval", "1s"), ("startTime", String(firstOpen)), ("limit", "1000")],
                weight: 2)
            let candles = try BinanceKline.rows(
                Data(r.body), symbol: "BTCUSDT", interval: "1s", venueNowMs: client.venueNowMs()
            ).prefix(Int(job.barsDone))
            #expect(candles.count == Int(job.barsDone))
            let bars = BarSeries(
                candles.map {
                    Bar(
                        time: $0.openTime, open: $0.open.double, high: $0.high.double, low: $0.low.double,
                        close: $0.close.double, volume: $0.volume.double)
                })
            var session = try Registry.standard.makeSession(try spec.validate(with: .standard))
            session.run(bars, until: bars.count)
            let expected = session.takeFills()
            #expect(rows.map(\.fill) == expected, "\(rows.count) stored, \(expected.count) from the venue's candles")

            // What the job saw was recorded across the kill -9 and the dropped stream: every
            // candle it traded, once, so the coordinator's replay of the recording is its run.
            let report = try await cluster.divergence("paper-live")
            #expect(report.candles == Int(job.barsDone) && report.missingCandles == 0)
            #expect(report.fromMs == firstOpen && report.throughMs == candles.last?.openTime)
            #expect(report.summary.identical, "a paper job's replay differs from its run")
            #expect(report.summary.jobFills == rows.count && report.summary.replayFills == rows.count)
            #expect(report.summary.matchedOrders == Set(rows.map(\.orderId)).count)
            #expect(report.summary.jobPnl == report.summary.replayPnl && report.summary.slippageCost == 0)
            let shown = try await cluster.ats(["job", "divergence", "paper-live", "--fills"])
            #expect(shown.status == 0 && shown.output.contains("(identical)"), "\(shown.output)")
            #expect(shown.output.contains("candles replayed: \(job.barsDone)"))
        }
    }
}
