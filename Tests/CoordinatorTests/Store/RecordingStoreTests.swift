import ATSCoordinator
import ATSShared
import Foundation
import PostgresNIO
import Testing

/// What jobs on a live market saw, against a real PostgreSQL: each candle stored once per market
/// however many jobs or runs report it, in the venue's decimals, and each job's span of it.
@Suite(.serialized)
struct RecordingStoreTests {
    let stores = JobStoreTests()
    static let t0: Int64 = 1_700_000_000_000

    func candles(_ job: Int64, _ epoch: Int64, firstBar: Int64, at times: [Int64]) -> WireMessage {
        .candlesSeen(
            CandlesSeen(
                header: JobHeader(jobId: job, epoch: epoch, messageSeq: 1), endpoint: "local:9100", symbol: "BTCUSDT",
                interval: "1s", firstBar: firstBar,
                candles: times.map {
                    let price = "5000\($0 % 10).01000000"
                    return SeenCandle(
                        openTimeMs: Self.t0 + $0 * 1_000, open: price, high: price, low: price, close: price,
                        volume: "0.50000000")
                }))
    }

    @Test func candlesAreStoredOncePerMarketAndEachJobKeepsItsSpan() async throws {
        try await stores.withStore(leaseTimeout: .seconds(30)) { store in
            var paper = KillSwitchStoreTests.live("seer")
            paper.mode = .paper
            paper.credentials = nil
            let a = try await store.create(paper, actor: "test")
            paper.name = "other"
            let b = try await store.create(paper, actor: "test")
            let ea = try #require(try await store.assign(job: a.id, to: "w1")).epoch
            let eb = try #require(try await store.assign(job: b.id, to: "w1")).epoch

            _ = try await store.persist([candles(a.id, ea, firstBar: 0, at: [0, 1, 2])], worker: "w1")
            // A resumed run trades the candles after its checkpoint again; another job on the
            // same market reports some of them too.
            _ = try await store.persist(
                [candles(a.id, ea, firstBar: 2, at: [2, 3, 4]), candles(b.id, eb, firstBar: 0, at: [3, 4, 5])],
                worker: "w1")
            let stored = try await store.client.query("SELECT count(*) FROM market_candles")
            #expect(try await stored.decode(Int64.self).first(where: { _ in true }) == 6)

            let r = try await store.recording(job: "seer")
            #expect(r.originMs == Self.t0 && r.throughMs == Self.t0 + 4_000)
            #expect(r.candles.map(\.openTimeMs) == (0...4).map { Self.t0 + $0 * 1_000 })
            #expect(r.candles[1].close == "50001.01000000" && r.candles[1].volume == "0.50000000")
            let other = try await store.recording(job: "other")
            #expect(other.originMs == Self.t0 + 3_000 && other.candles.count == 3)

            // A superseded run's report moves no span; a run that starts afresh starts a new one.
            _ = try await store.persist([candles(a.id, ea - 1, firstBar: 0, at: [8])], worker: "w1")
            #expect(try await store.recording(job: "seer").throughMs == Self.t0 + 4_000)
            _ = try await store.persist([candles(a.id, ea, firstBar: 0, at: [9])], worker: "w1")
            let fresh = try await store.recording(job: "seer")
            #expect(fresh.originMs == Self.t0 + 9_000 && fresh.candles.count == 1)

            // A backtest saw no market.
            let backtest = try await store.create(JobStoreTests.spec, actor: "test")
            await #expect(throws: StoreError.self) { try await store.recording(job: String(backtest.id)) }
        }
    }

    /// The retention deletes candles by open time across every market, a batch at a time, and a
    /// job's recording then lacks them (its divergence counts them missing).
    @Test func candlesPastTheRetentionAreDeletedInBatches() async throws {
        try await stores.withStore(leaseTimeout: .seconds(30)) { store in
            var paper = KillSwitchStoreTests.live("kept")
            paper.mode = .paper
            paper.credentials = nil
            let job = try await store.create(paper, actor: "test")
            let epoch = try #require(try await store.assign(job: job.id, to: "w1")).epoch
            _ = try await store.persist([candles(job.id, epoch, firstBar: 0, at: Array(0..<7))], worker: "w1")

            // Opened before t0 + 5 s: five candles, two at a time.
            #expect(try await store.pruneRecording(before: Self.t0 + 5_000, batch: 2) == 5)
            let r = try await store.recording(job: "kept")
            #expect(r.candles.map(\.openTimeMs) == [Self.t0 + 5_000, Self.t0 + 6_000])
            #expect(r.originMs == Self.t0, "the job's span is its own: the candles are what is gone")
            #expect(try await store.pruneRecording(before: Self.t0 + 5_000) == 0)
        }
    }
}
