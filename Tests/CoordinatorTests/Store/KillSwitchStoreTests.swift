import ATSCoordinator
import ATSShared
import Foundation
import Testing

/// The kill switch against a real PostgreSQL: a killed live job is stopped with its halt, its run
/// told to cancel and flatten, and from the commit on only a reduce-only intent is stored for it;
/// the global switch holds every live job and any created while it is thrown; both persist until
/// released.
@Suite(.serialized)
struct KillSwitchStoreTests {
    let stores = JobStoreTests()

    static func live(_ name: String) -> JobSpec {
        var s = JobStoreTests.spec
        s.name = name
        s.mode = .live
        s.market = MarketSource(endpoint: "local:9100", symbol: "BTCUSDT", interval: "1s")
        s.credentials = "alice"
        return s
    }

    func intent(
        _ job: Int64, _ epoch: Int64, _ id: String, reduceOnly: Bool = false, side: String = "SELL",
        quantity: String = "0.00100000"
    ) -> WireMessage {
        var m = OrderIntentWritten(
            header: JobHeader(jobId: job, epoch: epoch, messageSeq: 1), clientOrderId: id, symbol: "BTCUSDT",
            side: side, orderType: "MARKET", quantity: quantity, decidedAtMs: 1)
        m.reduceOnly = reduceOnly
        return .intentWritten(m)
    }

    @Test func aKilledJobStopsHeldAndWritesOnlyReduceOnlyIntents() async throws {
        try await stores.withStore { store in
            let job = try await store.create(Self.live("live"), actor: "test")
            let a = try #require(try await store.assign(job: job.id, to: "w1"))
            #expect(a.halt.isEmpty)
            let killed = try await store.kill(job: "live", flatten: true, actor: "ops")
            #expect(killed.haltReason == "killed by ops" && killed.desiredState == .stopped)
            let due = try await store.stopAndHaltRequests()
            #expect(due.halts[JobLease(jobId: job.id, epoch: a.epoch)] == true)
            #expect(due.stops.contains { $0.0 == JobLease(jobId: job.id, epoch: a.epoch) && $0.1 == "w1" })

            let plain = try await store.persist([intent(job.id, a.epoch, "ats-x-1-0")], worker: "w1").verdicts
            #expect(plain.first?.accepted == false && plain.first?.reason.contains("kill switch") == true)
            // The job bought 0.5 BTC, 0.0005 of it taken as commission: it holds 0.4995.
            let bought = VenueFill(
                tradeId: 1, orderId: 1, clientOrderId: "ats-x-1-a", side: "BUY", price: "50000", quantity: "0.5",
                commission: "0.0005", commissionAsset: "BTC", timeMs: 1, maker: false)
            _ = try await store.persist(
                [
                    .venueFills(
                        VenueFills(
                            header: JobHeader(jobId: job.id, epoch: a.epoch, messageSeq: 1), venue: "binance",
                            symbol: "BTCUSDT", fills: [bought]))
                ], worker: "w1")
            let flatten = try await store.persist(
                [intent(job.id, a.epoch, "ats-x-1-1", reduceOnly: true, quantity: "0.4995")], worker: "w1"
            ).verdicts
            #expect(flatten.first?.accepted == true)
            // Said to reduce, but does not: a buy, or a sell of more than the job holds.
            for (id, side, quantity) in [("ats-x-1-2", "BUY", "0.001"), ("ats-x-1-3", "SELL", "0.5")] {
                let claimed = try await store.persist(
                    [intent(job.id, a.epoch, id, reduceOnly: true, side: side, quantity: quantity)], worker: "w1"
                ).verdicts
                #expect(claimed.first?.accepted == false, "\(side) \(quantity)")
                #expect(claimed.first?.reason.contains("kill switch") == true)
            }

            // The run carries out the kill and stops; killed again while stopped, the job is
            // started only to cancel.
            _ = try await store.persist(
                [
                    .started(
                        JobStarted(
                            header: JobHeader(jobId: job.id, epoch: a.epoch, messageSeq: 2), barsTotal: 0,
                            phase: "halted")),
                    .finished(
                        JobFinished(
                            header: JobHeader(jobId: job.id, epoch: a.epoch, messageSeq: 2), outcome: .stopped,
                            statistics: [])),
                ], worker: "w1")
            let stopped = try await store.job("live")
            #expect(stopped.status == .stopped && stopped.haltReason != nil)
            _ = try await store.kill(job: "live", flatten: false, actor: "ops")
            #expect(try await store.job("live").status == .pending)
            let b = try #require(try await store.assign(job: job.id, to: "w2"))
            #expect(b.halt == "killed by ops" && !b.haltFlatten)

            let released = try await store.releaseKill(job: "live", actor: "ops")
            #expect(released.haltReason == nil)
            #expect(
                try await store.persist([intent(job.id, b.epoch, "ats-x-2-0")], worker: "w2").verdicts.first?.accepted
                    == true)
            let events = try await store.events(job: "live").map(\.kind)
            #expect(events.contains("killed") && events.contains("kill_released"))
        }
    }

    @Test func theGlobalSwitchHoldsEveryLiveJobAndNewOnesUntilReleased() async throws {
        try await stores.withStore { store in
            let first = try await store.create(Self.live("first"), actor: "test")
            var backtest = JobStoreTests.spec
            backtest.name = "bt"
            let bt = try await store.create(backtest, actor: "test")
            await #expect(throws: StoreError.self) { try await store.kill(job: "bt", flatten: false, actor: "ops") }
            #expect(try await store.killAll(flatten: true, actor: "ops") == 1)
            #expect(try await store.clusterHalt()?.flatten == true)
            #expect(try await store.job("first").haltReason == "global kill by ops")
            #expect(try await store.job("bt").haltReason == nil)

            // Created while the switch is thrown: held on assignment, its intents refused.
            let later = try await store.create(Self.live("later"), actor: "test")
            let a = try #require(try await store.assign(job: later.id, to: "w1"))
            #expect(a.halt == "global kill by ops" && a.haltFlatten)
            let v = try await store.persist([intent(later.id, a.epoch, "ats-y-1-0")], worker: "w1").verdicts
            #expect(v.first?.accepted == false)

            try await store.releaseAll(actor: "admin")
            #expect(try await store.clusterHalt() == nil)
            #expect(try await store.job("first").haltReason == nil)
            let after = try await store.persist([intent(later.id, a.epoch, "ats-y-1-1")], worker: "w1").verdicts
            #expect(after.first?.accepted == true, "\(after.first?.reason ?? "no verdict")")
            #expect(first.id != bt.id)
        }
    }

    /// A live job's worker lost (its lease ran out): `hold` stops it held, `flatten` holds it for a
    /// run that cancels, flattens and stops, `resume` (the default) waits to be picked up again.
    @Test func aLostWorkersLiveJobFollowsItsPolicy() async throws {
        try await stores.withStore(leaseTimeout: .seconds(30)) { store in
            var jobs: [WorkerLossPolicy?: Int64] = [:]
            for policy in [WorkerLossPolicy.hold, .flatten, nil] {
                var spec = Self.live("lost-\(policy?.rawValue ?? "default")")
                spec.onWorkerLost = policy
                let job = try await store.create(spec, actor: "test")
                _ = try #require(try await store.assign(job: job.id, to: "w1"))
                jobs[policy] = job.id
            }
            try await JobStoreTests.expireLeases(store, jobs: Array(jobs.values))
            #expect(try await store.reapExpiredLeases().count == 3)
            let held = try await store.job("lost-hold")
            #expect(held.status == .stopped && held.desiredState == .stopped)
            #expect(held.haltReason == "worker lost (on_worker_lost: hold)")
            let flattened = try await store.job("lost-flatten")
            #expect(flattened.status == .pending && flattened.haltReason == "worker lost (on_worker_lost: flatten)")
            let flattenId = try #require(jobs[.flatten])
            let next = try #require(try await store.assign(job: flattenId, to: "w2"))
            #expect(next.haltFlatten && next.halt.contains("flatten"))
            let resumed = try await store.job("lost-default")
            #expect(resumed.status == .pending && resumed.haltReason == nil)
            #expect(try await store.events(job: "lost-hold").map(\.kind).contains("worker_lost"))
        }
    }

    /// A kill is carried out whatever ends its run first: a run that stops without reporting the
    /// halt done (a plain stop raced it) or loses its worker is followed by another; a release
    /// never starts a job, and a job started only to carry out its kill goes back to stopped.
    @Test func aKillIsCarriedOutBeforeTheJobStaysStopped() async throws {
        try await stores.withStore(leaseTimeout: .seconds(30)) { store in
            let job = try await store.create(Self.live("k"), actor: "test")
            let a = try #require(try await store.assign(job: job.id, to: "w1"))
            _ = try await store.kill(job: "k", flatten: false, actor: "ops")
            func finish(_ epoch: Int64, worker: String, halted: Bool) async throws {
                var messages: [WireMessage] = []
                if halted {
                    messages.append(
                        .started(
                            JobStarted(
                                header: JobHeader(jobId: job.id, epoch: epoch, messageSeq: 1), barsTotal: 0,
                                phase: "halted")))
                }
                messages.append(
                    .finished(
                        JobFinished(
                            header: JobHeader(jobId: job.id, epoch: epoch, messageSeq: 2), outcome: .stopped,
                            statistics: [])))
                _ = try await store.persist(messages, worker: worker)
            }
            // Stopped without carrying it out: started again for it.
            try await finish(a.epoch, worker: "w1", halted: false)
            #expect(try await store.job("k").status == .pending)
            // Its worker lost: again.
            let b = try #require(try await store.assign(job: job.id, to: "w2"))
            #expect(b.halt == "killed by ops")
            try await JobStoreTests.expireLeases(store, jobs: [job.id])
            _ = try await store.reapExpiredLeases()
            #expect(try await store.job("k").status == .pending)
            // Carried out: stopped, and stays so.
            let c = try #require(try await store.assign(job: job.id, to: "w3"))
            try await finish(c.epoch, worker: "w3", halted: true)
            let done = try await store.job("k")
            #expect(done.status == .stopped && done.desiredState == .stopped)

            // Killed again while stopped (pending for its kill run), then released before it ran:
            // stopped, not started.
            _ = try await store.kill(job: "k", flatten: false, actor: "ops")
            #expect(try await store.job("k").status == .pending)
            let released = try await store.releaseKill(job: "k", actor: "ops")
            #expect(released.status == .stopped && released.desiredState == .stopped && released.haltReason == nil)
        }
    }
}
