import ATSEngine
import ATSShared
import ATSTestSupport
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import Testing

/// The kill switch with real processes (docs/LIVE.md "Kill switch"): `ats kill JOB --flatten`
/// cancels a live job's resting orders by client id, trades its position back to its allocation
/// through a reduce-only intent, and stops it; started again it stays held and places nothing;
/// released, it trades. `ats kill --all` holds every live job, and one created while it is thrown.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct KillSwitchTests {
    static func spec(port: Int, name: String) -> JobSpec {
        var s = LiveTradingTests.spec(port: port)
        s.name = name
        // Limits a little off the close: some fill, some rest.
        s.run.strategy.config = [
            "seed": .int(3), "probability": .double(0.8), "max_fraction": .double(0.3), "order_type": .string("limit"),
            "limit_offset": .double(0.0005),
        ]
        return s
    }

    /// The account's base bought minus sold, net of base commissions (one job trades it here).
    static func netBase(_ client: BinanceRESTClient) async throws -> VenueDecimal {
        var net = VenueDecimal.zero
        for t in try await client.trades(symbol: "BTCUSDT", fromId: 1) {
            net = t.isBuyer ? net + t.qty : net - t.qty
            if t.commissionAsset == "BTC" { net = net - t.commission }
        }
        return net
    }

    @Test func aKilledJobCancelsFlattensStopsAndStaysHeldUntilReleased() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": LiveTradingTests.masterKey]) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            try cluster.startWorker("w1")
            let job = try await cluster.create(Self.spec(port: venue.port, name: "live-k"))
            let client = try BinanceRESTClient(
                endpoint: venue.endpoint, credentials: venue.hmac, logger: Logger(label: "kill-test"))
            try await client.syncClock()
            let prefix = ClientOrderId.prefix(job: job.id)
            try await waitUntil("a position and a resting order", timeout: .seconds(120), every: .milliseconds(200)) {
                let open = try await client.openOrders(symbol: "BTCUSDT").filter { $0.clientOrderId.hasPrefix(prefix) }
                guard !open.isEmpty else { return false }
                return try await Self.netBase(client) > .zero
            }

            let kill = try await cluster.ats(["kill", "live-k", "--flatten"])
            #expect(kill.status == 0 && kill.output.contains("killed"), "\(kill.output)")
            try await waitUntil("stopped", timeout: .seconds(60)) {
                try await cluster.job("live-k").status == .stopped
            }
            let stopped = try await cluster.job("live-k")
            #expect(stopped.haltReason?.contains("killed by") == true && stopped.lastError == nil)
            #expect(try await client.openOrders(symbol: "BTCUSDT").isEmpty, "every resting order cancelled")
            let net = try await Self.netBase(client)
            // Back to the allocation (no base), within the lot step the market sell rounds down to.
            #expect(net >= .zero && net < VenueDecimal("0.00001")!, "net base after the flatten: \(net)")
            let placed = try await venue.placements().byId
            #expect(placed.values.allSatisfy { $0 == 1 })
            let shown = try await cluster.ats(["job", "show", "live-k"])
            #expect(shown.output.contains("KILLED"), "\(shown.output)")

            // Started again while held: it cancels nothing, places nothing, and stops.
            #expect(try await cluster.ats(["job", "start", "live-k"]).status == 0)
            try await waitUntil("held run started", timeout: .seconds(30)) {
                try await cluster.job("live-k").epoch > stopped.epoch
            }
            try await waitUntil("stopped again", timeout: .seconds(60)) {
                try await cluster.job("live-k").status == .stopped
            }
            #expect(try await venue.placements().byId == placed, "a held job placed an order")

            // Released and started: it trades again.
            let release = try await cluster.ats(["kill", "--release", "live-k"])
            #expect(release.status == 0 && release.output.contains("released"), "\(release.output)")
            #expect(try await cluster.job("live-k").haltReason == nil)
            #expect(try await cluster.ats(["job", "start", "live-k"]).status == 0)
            try await waitUntil("trading again", timeout: .seconds(90)) {
                try await venue.placements().byId.count > placed.count
            }

            // The global switch: the running job and one created while it is thrown are held.
            let all = try await cluster.ats(["kill", "--all"])
            #expect(all.status == 0 && all.output.contains("1 live jobs"), "\(all.output)")
            try await waitUntil("stopped by the global switch", timeout: .seconds(60)) {
                try await cluster.job("live-k").status == .stopped
            }
            #expect(try await client.openOrders(symbol: "BTCUSDT").isEmpty)
            let status = try await cluster.ats(["kill", "--status"])
            #expect(status.output.contains("THROWN"), "\(status.output)")
            let before = try await venue.placements().byId
            _ = try await cluster.create(Self.spec(port: venue.port, name: "live-new"))
            try await waitUntil("the new job held and stopped", timeout: .seconds(60)) {
                let j = try await cluster.job("live-new")
                return j.status == .stopped && j.haltReason == nil && j.epoch >= 1
            }
            #expect(try await venue.placements().byId == before, "a job created under the global switch placed")
            #expect(try await cluster.ats(["kill", "--release", "--all"]).status == 0)
            #expect(try await cluster.ats(["kill", "--status"]).output.contains("not thrown"))
        }
    }
}

/// A live job whose worker is killed (`on_worker_lost: flatten`): the next worker's run cancels
/// its resting orders, sells its position back to its allocation, and stops it held.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WorkerLossPolicyTests {
    @Test func aLostWorkersJobIsFlattenedAndHeld() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(
            environment: [
                "ATS_MASTER_KEY": LiveTradingTests.masterKey, "ATS_LEASE_TIMEOUT_MS": "3000", "ATS_HEARTBEAT_MS": "500",
            ]
        ) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            let w1 = try cluster.startWorker("w1")
            var spec = KillSwitchTests.spec(port: venue.port, name: "lost")
            spec.onWorkerLost = .flatten
            let job = try await cluster.create(spec)
            let client = try BinanceRESTClient(
                endpoint: venue.endpoint, credentials: venue.hmac, logger: Logger(label: "loss-test"))
            try await client.syncClock()
            try await waitUntil("a position", timeout: .seconds(120), every: .milliseconds(200)) {
                try await KillSwitchTests.netBase(client) > .zero
            }
            w1.signal(SIGKILL)
            try cluster.startWorker("w2")
            try await waitUntil("flattened and stopped", timeout: .seconds(90)) {
                let j = try await cluster.job("lost")
                return j.status == .stopped && j.epoch >= 2
            }
            let j = try await cluster.job("lost")
            #expect(j.haltReason == "worker lost (on_worker_lost: flatten)" && j.lastError == nil)
            let open = try await client.openOrders(symbol: "BTCUSDT").filter {
                $0.clientOrderId.hasPrefix(ClientOrderId.prefix(job: job.id))
            }
            #expect(open.isEmpty, "resting orders left: \(open.map(\.clientOrderId))")
            let net = try await KillSwitchTests.netBase(client)
            #expect(net >= .zero && net < VenueDecimal("0.00001")!, "net base after the flatten: \(net)")
            #expect(try await venue.placements().byId.values.allSatisfy { $0 == 1 })
        }
    }
}

/// A live job's risk limits with real processes: an invalid limit is refused naming its field;
/// the orders its strategy wants beyond `max_orders_per_minute` never reach the venue.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RiskLimitTests {
    @Test func ordersBeyondTheMinutesLimitNeverReachTheVenue() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": LiveTradingTests.masterKey]) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            var spec = LiveTradingTests.spec(port: venue.port)
            spec.name = "risky"
            spec.risk = RiskLimits(maxOrdersPerMinute: 0)
            let refused = try await cluster.request("POST", "api/jobs", body: spec.json())
            #expect(
                refused.status == 400
                    && String(decoding: refused.body, as: UTF8.self).contains("risk.max_orders_per_minute"))

            try cluster.startWorker("w1")
            // The strategy orders on about every candle; two an minute may go out.
            spec.run.strategy.config["probability"] = .double(1)
            spec.risk = RiskLimits(maxOrdersPerMinute: 2)
            _ = try await cluster.create(spec)
            try await waitUntil("ten candles traded", timeout: .seconds(60)) {
                try await cluster.job("risky").barsDone >= 10
            }
            let placed = try await venue.placements().byId
            #expect(placed.count == 2, "\(placed.count) orders reached the venue in under a minute")
            let shown = try await cluster.ats(["job", "show", "risky"])
            #expect(shown.output.contains("max_orders_per_minute=2"), "\(shown.output)")
            #expect(try await cluster.job("risky").status == .running)
        }
    }

    /// Two live jobs on one account under its budget: with room for neither's orders, nothing
    /// reaches the venue while both keep running; with the budget cleared, they trade.
    @Test func anAccountsBudgetHoldsEveryJobTradingWithIt() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": LiveTradingTests.masterKey]) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            let set = try await cluster.ats(["credentials", "limits", "alice", "--max-gross-exposure", "1"])
            #expect(set.status == 0 && set.output.contains("max_gross_exposure=1.0"), "\(set.output)")
            try cluster.startWorker("w1")
            for name in ["budget-a", "budget-b"] {
                var spec = LiveTradingTests.spec(port: venue.port)
                spec.name = name
                spec.run.strategy.config["probability"] = .double(1)
                _ = try await cluster.create(spec)
            }
            try await waitUntil("five candles each", timeout: .seconds(60)) {
                let a = try await cluster.job("budget-a").barsDone
                let b = try await cluster.job("budget-b").barsDone
                return a >= 5 && b >= 5
            }
            #expect(try await venue.placements().byId.isEmpty, "an order over the account's budget was placed")
            #expect(try await cluster.job("budget-a").status == .running)
            #expect(try await cluster.job("budget-b").status == .running)

            #expect(try await cluster.ats(["credentials", "limits", "alice", "--clear"]).status == 0)
            try await waitUntil("trading once the budget is cleared", timeout: .seconds(60)) {
                try await venue.placements().byId.count >= 2
            }
        }
    }
}
