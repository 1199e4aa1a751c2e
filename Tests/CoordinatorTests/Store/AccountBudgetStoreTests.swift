import ATSCoordinator
import ATSShared
import Foundation
import Testing

/// One risk budget across the live jobs that share an account, against a real PostgreSQL: each
/// job alone fits, together they may not exceed it; an order that reduces a position (a sell
/// within what the job's own executions left it) always passes; amounts in another quote asset
/// are never added; the day's loss across the jobs stops the rest; a refusal keeps the job.
@Suite(.serialized)
struct AccountBudgetStoreTests {
    let stores = JobStoreTests()

    func intent(
        _ job: Int64, _ epoch: Int64, _ id: String, notional: Double, reduces: Bool = false,
        quantity: String = "0.01000000"
    ) -> WireMessage {
        var m = OrderIntentWritten(
            header: JobHeader(jobId: job, epoch: epoch, messageSeq: 1), clientOrderId: id, symbol: "BTCUSDT",
            side: reduces ? "SELL" : "BUY", orderType: "MARKET", quantity: quantity, decidedAtMs: 1)
        m.notional = notional
        m.reduces = reduces
        return .intentWritten(m)
    }

    /// The job bought 0.02 BTC (trade `id` at the venue): what its reducing sells may sell.
    func bought(_ job: Int64, _ epoch: Int64, trade id: Int64) -> WireMessage {
        .venueFills(
            VenueFills(
                header: JobHeader(jobId: job, epoch: epoch, messageSeq: 1), venue: "binance", symbol: "BTCUSDT",
                fills: [
                    VenueFill(
                        tradeId: id, orderId: id, clientOrderId: "ats-\(job)-\(epoch)-\(id)", side: "BUY",
                        price: "50000", quantity: "0.02", commission: "10", commissionAsset: "USDT", timeMs: 1,
                        maker: false)
                ]))
    }

    func progress(_ job: Int64, _ epoch: Int64, exposure: Double, dayPnl: Double = 0) -> WireMessage {
        .progress(
            JobProgress(
                header: JobHeader(jobId: job, epoch: epoch, messageSeq: 2), barsDone: 1, barsTotal: 1, equity: 1_000,
                exposure: exposure, dayPnl: dayPnl))
    }

    @Test func twoJobsTogetherStayWithinTheirAccountsBudget() async throws {
        try await stores.withStore(leaseTimeout: .seconds(30)) { store in
            _ = try await store.putCredential(
                name: "alice", venue: "binance", keyType: "hmac", apiKeyLast4: "abcd", sealed: Data([1, 2, 3]),
                actor: "test")
            let a = try await store.create(KillSwitchStoreTests.live("a"), actor: "test")
            let b = try await store.create(KillSwitchStoreTests.live("b"), actor: "test")
            let la = try #require(try await store.assign(job: a.id, to: "w1"))
            let lb = try #require(try await store.assign(job: b.id, to: "w2"))
            _ = try await store.persist(
                [.started(JobStarted(header: JobHeader(jobId: a.id, epoch: la.epoch, messageSeq: 1), barsTotal: 0))],
                worker: "w1")
            _ = try await store.persist(
                [.started(JobStarted(header: JobHeader(jobId: b.id, epoch: lb.epoch, messageSeq: 1), barsTotal: 0))],
                worker: "w2")

            // No budget: anything goes.
            #expect(
                try await store.persist([intent(a.id, la.epoch, "a-0", notional: 5_000)], worker: "w1").verdicts.first?
                    .accepted == true)
            try await store.setAccountLimits(
                AccountLimits(maxGrossExposure: 1_000, maxDailyLoss: 200), credential: "alice", actor: "admin")
            // Each job reports what it holds: 400 and 300 of the 1,000 (a-0 is in A's 400 now).
            _ = try await store.persist([progress(a.id, la.epoch, exposure: 400)], worker: "w1")
            _ = try await store.persist([progress(b.id, lb.epoch, exposure: 300)], worker: "w2")
            // A job of the account's trading against BTC: its amounts are BTC, never added to USDT.
            var ethSpec = KillSwitchStoreTests.live("c")
            ethSpec.run.exchange.symbol = .init(base: "ETH", quote: "BTC")
            ethSpec.market = MarketSource(endpoint: "local:9100", symbol: "ETHBTC", interval: "1s")
            let c = try await store.create(ethSpec, actor: "test")
            let lc = try #require(try await store.assign(job: c.id, to: "w2"))
            _ = try await store.persist([progress(c.id, lc.epoch, exposure: 900)], worker: "w2")
            // B alone could take 600 more; with A's 400 it may take 300.
            #expect(
                try await store.persist([intent(b.id, lb.epoch, "b-0", notional: 250)], worker: "w2").verdicts.first?
                    .accepted == true)
            // b-0 is not in B's report yet: counted as pending, so A's 100 would make 1,050.
            let over = try await store.persist([intent(a.id, la.epoch, "a-1", notional: 100)], worker: "w1").verdicts
            #expect(over.first?.accepted == false && over.first?.keepsJob == true)
            #expect(over.first?.reason.contains("max_gross_exposure 1000") == true, "\(over)")
            // Selling within a position always passes; a sell of more than the job holds is not
            // reducing, whatever the worker says.
            _ = try await store.persist([bought(a.id, la.epoch, trade: 1)], worker: "w1")
            #expect(
                try await store.persist([intent(a.id, la.epoch, "a-2", notional: 300, reduces: true)], worker: "w1")
                    .verdicts.first?.accepted == true)
            let beyond = try await store.persist(
                [intent(a.id, la.epoch, "a-4", notional: 300, reduces: true, quantity: "0.5")], worker: "w1"
            ).verdicts
            #expect(beyond.first?.accepted == false && beyond.first?.reason.contains("max_gross_exposure") == true)
            // b-0 ended not placed: no longer pending.
            _ = try await store.persist(
                [
                    .intentResolved(
                        OrderIntentResolved(
                            header: JobHeader(jobId: b.id, epoch: lb.epoch, messageSeq: 3), clientOrderId: "b-0",
                            state: "not_placed"))
                ], worker: "w2")
            #expect(
                try await store.persist([intent(a.id, la.epoch, "a-3", notional: 100)], worker: "w1").verdicts.first?
                    .accepted == true)

            // Losses: 150 and 60 today is past the 200; only reducing orders pass.
            _ = try await store.persist([progress(a.id, la.epoch, exposure: 0, dayPnl: -150)], worker: "w1")
            _ = try await store.persist([progress(b.id, lb.epoch, exposure: 0, dayPnl: -60)], worker: "w2")
            let loss = try await store.persist([intent(b.id, lb.epoch, "b-1", notional: 10)], worker: "w2").verdicts
            #expect(loss.first?.accepted == false && loss.first?.reason.contains("max_daily_loss") == true)
            _ = try await store.persist([bought(b.id, lb.epoch, trade: 2)], worker: "w2")
            #expect(
                try await store.persist([intent(b.id, lb.epoch, "b-2", notional: 10, reduces: true)], worker: "w2")
                    .verdicts.first?.accepted == true)
            let shown = try #require(try await store.accountLimits()["alice"])
            #expect(shown.maxGrossExposure == 1_000 && shown.dayPnl == -210)

            try await store.setAccountLimits(AccountLimits(), credential: "alice", actor: "admin")
            #expect(try await store.accountLimits()["alice"] == nil)
            await #expect(throws: StoreError.self) {
                try await store.setAccountLimits(
                    AccountLimits(maxDailyLoss: 1), credential: "nobody", actor: "admin")
            }
        }
    }
}
