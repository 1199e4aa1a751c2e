import ATSCoordinator
import ATSShared
import Foundation
import Testing

/// Order intents and venue trades against a real PostgreSQL: an intent is stored (and its order
/// may be sent) only under the job's current epoch, on the worker holding a live lease; a resent
/// intent gets the same verdict; a venue trade is stored once however often it is reported; an
/// outcome once final stays.
@Suite(.serialized)
struct OrderIntentStoreTests {
    let stores = JobStoreTests()

    func intent(_ job: Int64, _ epoch: Int64, _ id: String, seq: UInt64 = 1) -> WireMessage {
        .intentWritten(
            OrderIntentWritten(
                header: JobHeader(jobId: job, epoch: epoch, messageSeq: seq), clientOrderId: id, symbol: "BTCUSDT",
                side: "BUY", orderType: "MARKET", quantity: "0.00100000", decidedAtMs: 1_700_000_000_000))
    }

    func fill(_ trade: Int64, _ id: String) -> VenueFill {
        VenueFill(
            tradeId: trade, orderId: 7, clientOrderId: id, side: "BUY", price: "50000.01", quantity: "0.00100000",
            commission: "0.00000100", commissionAsset: "BTC", timeMs: trade, maker: false)
    }

    @Test func anIntentIsStoredOnlyUnderTheCurrentEpochAndALiveLease() async throws {
        try await stores.withStore(leaseTimeout: .seconds(30)) { store in
            let job = try await store.create(JobStoreTests.spec, actor: "test")
            let a = try #require(try await store.assign(job: job.id, to: "w1"))
            let first = try await store.persist([intent(job.id, a.epoch, "ats-1-1-0")], worker: "w1")
            #expect(
                first.verdicts == [
                    IntentVerdict(jobId: job.id, epoch: a.epoch, clientOrderId: "ats-1-1-0", accepted: true)
                ])
            // The batch committed and its ack was lost: the resent intent is accepted again.
            #expect(
                try await store.persist([intent(job.id, a.epoch, "ats-1-1-0")], worker: "w1").verdicts.first?.accepted
                    == true)
            // Another worker, or another epoch: refused, nothing stored.
            #expect(
                try await store.persist([intent(job.id, a.epoch, "ats-1-1-1")], worker: "w2").verdicts.first?.accepted
                    == false)
            #expect(
                try await store.persist([intent(job.id, a.epoch + 1, "ats-1-2-0")], worker: "w1").verdicts.first?
                    .accepted == false)
            // The lease runs out: w1 may send no more orders for the job, even before it is reaped.
            try await JobStoreTests.expireLeases(store, jobs: [job.id])
            let late = try await store.persist([intent(job.id, a.epoch, "ats-1-1-2")], worker: "w1").verdicts
            #expect(late.first?.accepted == false && late.first?.reason.contains("lease") == true)
            #expect(try await store.intents(job: job.id).map(\.clientOrderId) == ["ats-1-1-0"])

            // Reassigned: the new epoch's intents are stored; an id already taken is refused.
            _ = try await store.reapExpiredLeases()
            let b = try #require(try await store.assign(job: job.id, to: "w2"))
            #expect(
                try await store.persist([intent(job.id, b.epoch, "ats-1-2-0")], worker: "w2").verdicts.first?.accepted
                    == true)
            #expect(
                try await store.persist([intent(job.id, b.epoch, "ats-1-1-0")], worker: "w2").verdicts.first?.accepted
                    == false)

            // Outcomes: a fact whoever learned it (w2 resolves w1's intent); final states stay.
            let resolved = WireMessage.intentResolved(
                OrderIntentResolved(
                    header: JobHeader(jobId: job.id, epoch: b.epoch, messageSeq: 2), clientOrderId: "ats-1-1-0",
                    state: "accepted", venueOrderId: 7))
            let undone = WireMessage.intentResolved(
                OrderIntentResolved(
                    header: JobHeader(jobId: job.id, epoch: b.epoch, messageSeq: 3), clientOrderId: "ats-1-1-0",
                    state: "unknown"))
            _ = try await store.persist([resolved, undone], worker: "w2")
            #expect(try await store.intents(job: job.id).first { $0.clientOrderId == "ats-1-1-0" }?.state == "accepted")

            // A trade reported by the old run, the new one and a refill: stored once.
            let fills = WireMessage.venueFills(
                VenueFills(
                    header: JobHeader(jobId: job.id, epoch: b.epoch, messageSeq: 4), venue: "binance",
                    symbol: "BTCUSDT",
                    fills: [fill(901, "ats-1-1-0"), fill(902, "ats-1-1-0")]))
            #expect(try await store.persist([fills], worker: "w2").venueFillsInserted == 2)
            #expect(try await store.persist([fills], worker: "w2").venueFillsInserted == 0)
            #expect(try await store.venueTradeIds(job: job.id) == [901, 902])
        }
    }

    func checkpoint(_ job: Int64, _ epoch: Int64, cursor: Int64, serial: Int64, state: [UInt8]) -> WireMessage {
        .checkpoint(
            CheckpointSaved(
                header: JobHeader(jobId: job, epoch: epoch, messageSeq: 1), cursor: cursor, nextFillSeq: 0,
                state: state, serial: serial))
    }

    func resolved(_ job: Int64, _ epoch: Int64, _ id: String, _ state: String, code: Int64 = 0) -> WireMessage {
        .intentResolved(
            OrderIntentResolved(
                header: JobHeader(jobId: job, epoch: epoch, messageSeq: 1), clientOrderId: id, state: state,
                venueOrderId: state == "accepted" ? 7 : 0, code: code))
    }

    /// A live run checkpoints before every intent, often at one candle: the newest checkpoint at a
    /// cursor is the one a resumed run gets, with every intent written since it (and every
    /// unresolved one) — the orders the checkpoint may name as in flight.
    @Test func aResumedLiveRunGetsTheNewestCheckpointAndTheIntentsSinceIt() async throws {
        try await stores.withStore(leaseTimeout: .seconds(30)) { store in
            let job = try await store.create(JobStoreTests.spec, actor: "test")
            let a = try #require(try await store.assign(job: job.id, to: "w1"))
            #expect(a.priorIntents.isEmpty)
            let e = a.epoch
            _ = try await store.persist(
                [checkpoint(job.id, e, cursor: 5, serial: 1, state: [1]), intent(job.id, e, "A")], worker: "w1")
            _ = try await store.persist([resolved(job.id, e, "A", "accepted")], worker: "w1")
            _ = try await store.persist(
                [checkpoint(job.id, e, cursor: 5, serial: 2, state: [2]), intent(job.id, e, "B")], worker: "w1")
            _ = try await store.persist([resolved(job.id, e, "B", "rejected", code: -2010)], worker: "w1")
            // An older checkpoint at the same cursor, resent: kept out; a backtest's (serial 0) too.
            #expect(
                try await store.persist([checkpoint(job.id, e, cursor: 5, serial: 1, state: [1])], worker: "w1")
                    .checkpointsDropped == 1)
            #expect(
                try await store.persist([checkpoint(job.id, e, cursor: 5, serial: 0, state: [0])], worker: "w1")
                    .checkpointsDropped == 1)
            _ = try await store.persist([intent(job.id, e, "C")], worker: "w1")

            try await JobStoreTests.expireLeases(store, jobs: [job.id])
            _ = try await store.reapExpiredLeases()
            let b = try #require(try await store.assign(job: job.id, to: "w2"))
            #expect(b.checkpoint == [2])
            // A was resolved before the newest checkpoint: not needed. B since it, C unresolved.
            #expect(b.priorIntents.map(\.clientOrderId) == ["B", "C"])
            #expect(b.priorIntents.first?.state == "rejected" && b.priorIntents.first?.code == -2010)
            #expect(b.priorIntents.last?.state == "written")

            // The new run's first checkpoint at that cursor replaces its predecessor's (a later epoch).
            #expect(
                try await store.persist([checkpoint(job.id, b.epoch, cursor: 5, serial: 1, state: [3])], worker: "w2")
                    .checkpointsDropped == 0)
            #expect(try await store.checkpoints(job: String(job.id)).map(\.epoch) == [b.epoch])
        }
    }
}
