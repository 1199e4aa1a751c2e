import ATSEngine
import ATSShared
import ATSTestSupport
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import Testing

/// A live job against the fake venue (its own process), through the whole cluster: the credential
/// stored sealed and opened for the assignment, every order written as an intent the coordinator
/// accepted before it was sent, each placed once, every execution stored once and in the job's
/// fills, and the job stopped by its operator.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LiveTradingTests {
    static let masterKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    static func spec(port: Int) -> JobSpec {
        JobSpec(
            name: "live-1", mode: .live, data: DataSource(path: ""),
            run: RunSpec(
                exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: [:]),
                strategy: ComponentRef(
                    namespace: "strategies:simple",
                    config: ["seed": .int(11), "probability": .double(0.5), "max_fraction": .double(0.9)]),
                fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
                portfolio: .init(cash: 1_000)),
            market: MarketSource(endpoint: "local:\(port)", symbol: "BTCUSDT", interval: "1s"), credentials: "alice")
    }

    /// The job's orders (intents and outcomes) as the coordinator stored them.
    static func orders(_ cluster: TestCluster) async throws -> [OrderRecord] {
        try JSONCoding.decoder().decode(
            [OrderRecord].self, from: try await cluster.request("GET", "api/jobs/live-1/orders").body)
    }

    /// Stops live-1 and checks what must hold whatever happened to it: no error (a fill a successor
    /// booked differently fails the job); each order placed once at the venue and each one an
    /// intent the coordinator accepted; none left unresolved; every execution the venue made for
    /// the account in the job's fills once, numbered from 0. Returns the venue's placements.
    ///
    /// The market is held still first: a stop leaves the job's resting orders at the venue (a
    /// kill cancels them), and one the market reached after the stop would be a trade the stopped
    /// job has not booked yet (its next run does).
    static func stopAndCheckEveryOrderAndFill(_ cluster: TestCluster, _ venue: FakeVenueProcess) async throws
        -> (placed: [String: Int], orders: [OrderRecord])
    {
        try await venue.holdWalk()
        #expect(try await cluster.request("POST", "api/jobs/live-1/stop").status == 200)
        try await waitUntil("stopped", timeout: .seconds(30)) {
            try await cluster.job("live-1").status == .stopped
        }
        #expect(try await cluster.job("live-1").lastError == nil)
        let placed = try await venue.placements().byId
        #expect(placed.values.allSatisfy { $0 == 1 }, "\(placed)")
        let orders = try await Self.orders(cluster)
        let accepted = Set(orders.filter { $0.state == "accepted" }.map(\.clientOrderId))
        #expect(accepted == Set(placed.keys), "venue \(placed.keys.sorted()), accepted \(accepted.sorted())")
        #expect(orders.allSatisfy { $0.state != "written" && $0.state != "unknown" }, "\(orders)")
        let client = try BinanceRESTClient(
            endpoint: venue.endpoint, credentials: venue.hmac, logger: Logger(label: "live-test"))
        try await client.syncClock()
        let trades = try await client.trades(symbol: "BTCUSDT", fromId: 1)
        let fills = try await cluster.fills("live-1")
        #expect(fills.count == trades.count, "\(fills.count) fills stored, \(trades.count) trades at the venue")
        #expect(fills.map(\.seq) == Array(0..<Int64(fills.count)))
        return (placed, orders)
    }

    @Test func aLiveJobPlacesEachOrderOnceThroughTheVerdictAndStoresEveryExecutionOnce() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            // A live job naming a credential that does not exist is refused at once.
            var unknown = Self.spec(port: venue.port)
            unknown.name = "live-0"
            unknown.credentials = "nobody"
            let refused = try await cluster.request("POST", "api/jobs", body: unknown.json())
            #expect(refused.status == 400 && String(decoding: refused.body, as: UTF8.self).contains("credentials"))

            try cluster.startWorker("w1")
            let job = try await cluster.create(Self.spec(port: venue.port))
            try await waitUntil("three orders placed", timeout: .seconds(90)) {
                try await venue.placements().byId.count >= 3
            }
            // Each order once at the venue, and each one an intent the coordinator accepted first;
            // every execution in the job's fills once.
            let (placed, orders) = try await Self.stopAndCheckEveryOrderAndFill(cluster, venue)
            #expect(placed.keys.allSatisfy { $0.hasPrefix(ClientOrderId.prefix(job: job.id)) })
            let accepted = orders.filter { $0.state == "accepted" }.map(\.clientOrderId)
            let cli = try await cluster.ats(["job", "orders", "live-1"])
            let shown = try #require(accepted.first)
            #expect(cli.status == 0 && cli.output.contains(shown) && cli.output.contains("accepted"))
            #expect(!placed.isEmpty)

            // What it saw, replayed: every candle it traded on record, every venue execution
            // among the job's side of the comparison, each filled order tied to its intent with
            // the latencies it paid, and the job's P&L the equity it reported.
            let done = try await cluster.job("live-1")
            let report = try await cluster.divergence("live-1")
            #expect(report.candles == Int(done.barsDone) && report.missingCandles == 0)
            #expect(report.venueRules?.contains("step 1e-05") == true, "\(report.venueRules ?? "no rules")")
            #expect(report.summary.jobFills == (try await cluster.fills("live-1")).count)
            let filled = report.orders.filter { $0.job != nil }
            #expect(!filled.isEmpty && filled.allSatisfy { $0.clientOrderId.map(accepted.contains) == true })
            #expect(filled.allSatisfy { $0.decisionLatencyMs != nil && $0.venueLatencyMs != nil })
            #expect(report.summary.medianDecisionLatencyMs.map { $0 >= 0 } == true)
            let equity = try #require(done.equity)
            #expect(abs(equity - (1_000 + report.summary.jobPnl)) < 1e-6, "equity \(equity), P&L \(report.summary)")
            #expect(report.summary.replayFills > 0, "the replay of the same candles trades too")
        }
    }

    /// The `lstm` strategy live (issue 20): a model registered with the cluster and fetched by the
    /// worker, its entries placed once each with their brackets; a coordinator restarted since,
    /// which has read no model, replays what the job saw with the same weights.
    @Test func theLSTMStrategyTradesLiveOnAClusterModel() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            let onnx = ModelClusterTests.models.appendingPathComponent("torch_lstm_stream.onnx").path
            let add = try await cluster.ats(["model", "add", onnx, "--name", "lstm-live", "--cluster"])
            #expect(add.status == 0, "\(add.output)")
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            try cluster.startWorker("w1")
            var spec = Self.spec(port: venue.port)
            // Features that need no warm-up beyond one candle and do not scale with the price (a
            // price difference over the venue's BTC price saturated the model to one sign: it never
            // entered); exits by the bracket only.
            spec.run.strategy = ComponentRef(
                namespace: "strategies:lstm",
                config: [
                    "name": .string("lstm-live"),
                    "features": .string("close_return|high_logret|low_logret|close_logret"),
                    "std": .string("0.001|0.001|0.001|0.001"), "mode": .string("stream"), "threshold": .double(0),
                    "exit_threshold": .double(1000), "std_period": .int(2), "tp_std": .double(4),
                    "sl_std": .double(4), "order_value_pct": .double(0.5),
                ])
            let job = try await cluster.create(spec)
            #expect(job.spec.flatMap { JobSpec.modelHash($0.run.strategy.config) } != nil, "pinned to its hash")
            try await waitUntil("an entry and its bracket placed", timeout: .seconds(90)) {
                try await venue.placements().byId.count >= 3
            }
            let (_, orders) = try await Self.stopAndCheckEveryOrderAndFill(cluster, venue)
            #expect(orders.contains { $0.orderType == "MARKET" && $0.side == "BUY" && $0.state == "accepted" })
            let before = try await cluster.divergence("live-1")
            #expect(before.summary.replayFills > 0, "the replay of the same candles trades too")
            try await cluster.restartCoordinator(kill: false)
            let after = try await cluster.divergence("live-1")
            #expect(after.candles == before.candles && after.missingCandles == 0)
            #expect(
                after.summary.replayFills == before.summary.replayFills
                    && after.summary.replayPnl == before.summary.replayPnl)
        }
    }

    /// The credential, a worker, and live-1 trading `simple_ma` with wide brackets (4 standard
    /// deviations: an entry's take-profit and stop-loss, which go out as an OCO list).
    static func startBracketJob(_ cluster: TestCluster, _ venue: FakeVenueProcess) async throws {
        try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
        try cluster.startWorker("w1")
        var spec = Self.spec(port: venue.port)
        spec.run.strategy = ComponentRef(
            namespace: "strategies:simple_ma",
            config: [
                "fast": .int(2), "slow": .int(4), "confirm": .string("none"), "std_period": .int(4),
                "tp_std": .double(4), "sl_std": .double(4), "order_value_pct": .double(0.5),
            ])
        _ = try await cluster.create(spec)
    }

    /// A strategy's bracket (simple_ma's take-profit and stop-loss) goes out as one OCO order
    /// list once its entry has filled: both legs intents the coordinator accepted, placed once,
    /// and when one executes the venue expires the other; every execution in the job's fills once.
    @Test func aBracketGoesOutAsOneOCOListAndOneLegEndsTheOther() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            try await Self.startBracketJob(cluster, venue)
            // A list at the venue (one sent when the market had moved past a leg's price is refused,
            // -2010, and the job exits at market through that leg: the next bracket is tried). The
            // brackets are wide (4 standard deviations), so a list usually still works when seen:
            // the market is then driven through its stop.
            var list: Int64 = -1
            var ended: [FakeVenueProcess.Order] = []
            do {
                try await waitUntil("an OCO list at the venue", timeout: .seconds(120), every: .milliseconds(50)) {
                    let lists = Dictionary(
                        grouping: try await venue.orders().filter { $0.orderListId >= 0 }, by: \.orderListId)
                    list = lists.keys.sorted().first { lists[$0]?.count == 2 } ?? -1
                    return list >= 0
                }
            } catch {
                // What the job did instead, for whoever reads the failure.
                let job = try await cluster.job("live-1")
                let orders = try await Self.orders(cluster).suffix(12).map {
                    "\($0.clientOrderId) \($0.orderType) \($0.side) \($0.state) \($0.code ?? 0) \($0.message ?? "")"
                }
                Issue.record(
                    "job \(job.status) \(job.lastError ?? "") after \(job.barsDone) candles; its last orders: \(orders)"
                )
                throw error
            }
            try await venue.setPrice("1000")
            try await waitUntil("a leg of that list executed", timeout: .seconds(30)) {
                ended = try await venue.orders().filter { $0.orderListId == list }
                return ended.contains { $0.status == "FILLED" }
            }
            #expect(ended.count == 2 && Set(ended.map(\.type)) == ["LIMIT_MAKER", "STOP_LOSS"], "\(ended)")
            #expect(ended.filter { $0.status == "EXPIRED" }.count == 1, "one leg executed, the other expired: \(ended)")
            let (placed, orders) = try await Self.stopAndCheckEveryOrderAndFill(cluster, venue)
            for leg in ended {
                #expect(placed[leg.clientOrderId] == 1)
                #expect(orders.first { $0.clientOrderId == leg.clientOrderId }?.state == "accepted")
            }
            #expect(
                orders.contains {
                    $0.orderType == "STOP_LOSS"
                        && $0.clientOrderId == ended.first { $0.type == "STOP_LOSS" }?.clientOrderId
                })
        }
    }

    /// The market falls through a filled entry's stop before the entry's bracket goes out (at the
    /// next candle's close): the venue refuses the OCO list (-2010, its prices no longer on either
    /// side of the market), and the job exits at market through the crossed leg — a MARKET sell of
    /// the bracket's quantity, its fill tagged `stop_loss` — instead of holding the position with
    /// no exit; then it trades on.
    @Test func aBracketTheMarketIsAlreadyPastExitsAtMarketThroughTheCrossedLeg() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            try await Self.startBracketJob(cluster, venue)
            let client = try BinanceRESTClient(
                endpoint: venue.endpoint, credentials: venue.hmac, logger: Logger(label: "live-test"))
            // An entry fills; the market is then moved to a tenth of its price before the entry's
            // bracket goes out. Should the list beat the move (a slow machine), its stop executes
            // and the next entry is tried.
            var seen: Set<String> = []
            var legs: [OrderRecord] = []
            var after: [OrderRecord] = []
            for _ in 0..<3 where legs.isEmpty {
                var entry = ""
                try await waitUntil("an entry filled", timeout: .seconds(120), every: .milliseconds(20)) {
                    entry =
                        try await venue.orders().first {
                            $0.type == "MARKET" && $0.side == "BUY" && $0.status == "FILLED"
                                && !seen.contains($0.clientOrderId)
                        }?.clientOrderId ?? ""
                    return !entry.isEmpty
                }
                seen.insert(entry)
                let market = try await client.price(symbol: "BTCUSDT")
                try await venue.setPrice(String(Int((market.double / 10).rounded())))
                var pair: [OrderRecord] = []
                try await waitUntil("the entry's bracket answered", timeout: .seconds(30)) {
                    let orders = try await Self.orders(cluster)
                    guard let k = orders.firstIndex(where: { $0.clientOrderId == entry }) else { return false }
                    after = Array(orders[(k + 1)...])
                    pair = after.filter { $0.orderType == "LIMIT_MAKER" || $0.orderType == "STOP_LOSS" }.prefix(2)
                        .map { $0 }
                    return pair.count == 2 && pair.allSatisfy { $0.state == "accepted" || $0.state == "rejected" }
                }
                if pair.allSatisfy({ $0.state == "rejected" }) { legs = pair }
            }
            try #require(legs.count == 2, "no bracket was sent after the market had passed it")
            #expect(
                legs.allSatisfy {
                    $0.code == -2010 && $0.message == "The relationship of the prices for the orders is not correct."
                }, "\(legs)")
            // The crossed leg out at market: a MARKET sell of the bracket's quantity, filled.
            var exit: OrderRecord?
            try await waitUntil("the exit at market filled", timeout: .seconds(30)) {
                let orders = try await Self.orders(cluster)
                guard let k = orders.firstIndex(where: { $0.clientOrderId == legs[1].clientOrderId }) else {
                    return false
                }
                exit = orders[(k + 1)...].first { $0.orderType == "MARKET" && $0.side == "SELL" }
                guard let exit, exit.state == "accepted" else { return false }
                return try await venue.orders().contains {
                    $0.clientOrderId == exit.clientOrderId && $0.status == "FILLED"
                }
            }
            let sell = try #require(exit)
            #expect(sell.quantity == legs[0].quantity, "the bracket's quantity: \(sell) after \(legs)")
            // Its fill: after the refused list was written (an earlier attempt's stop filled before).
            let refusedAt = Int64(legs[0].createdAt.timeIntervalSince1970 * 1000)
            func exitFill(_ fills: [FillRow]) -> FillRow? {
                fills.last { $0.side == "SELL" && $0.tag == "stop_loss" && $0.timeMs >= refusedAt }
            }
            try await waitUntil("its fill stored", timeout: .seconds(30)) {
                exitFill(try await cluster.fills("live-1")) != nil
            }
            let fills = try await cluster.fills("live-1")
            let fill = try #require(exitFill(fills))
            let bought = try #require(fills.last { $0.side == "BUY" && $0.seq < fill.seq })
            #expect(
                fill.price < bought.price / 5, "sold at the market, a tenth of the entry's: \(fill) after \(bought)")
            // Flat again, the strategy enters again.
            try await waitUntil("a later entry", timeout: .seconds(90)) {
                let orders = try await Self.orders(cluster)
                guard let k = orders.firstIndex(where: { $0.clientOrderId == sell.clientOrderId }) else { return false }
                return orders[(k + 1)...].contains {
                    $0.orderType == "MARKET" && $0.side == "BUY" && $0.state == "accepted"
                }
            }
            _ = try await Self.stopAndCheckEveryOrderAndFill(cluster, venue)
        }
    }

    /// A job whose facts say it holds more than the account does halts before it places anything:
    /// here its allocation is five times the account's USDT (another job or a withdrawal took it).
    @Test func aBalanceTheFactsCannotExplainHaltsTheJobBeforeItTrades() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            try cluster.startWorker("w1")
            var spec = Self.spec(port: venue.port)
            spec.run.portfolio.cash = 5 * Double(FakeVenueProcess.startingUSDT)!
            _ = try await cluster.create(spec)
            try await waitUntil("halted", timeout: .seconds(60)) { try await cluster.job("live-1").status == .failed }
            let error = try await cluster.job("live-1").lastError ?? ""
            #expect(error.contains("reconciliation halted the job") && error.contains("50000.0 USDT"), "\(error)")
            #expect(try await venue.placements().byId.isEmpty)
        }
    }

    /// The venue does not answer when the job starts (down, restarting): the job waits,
    /// RECONCILING, instead of failing, and trades once the venue is up.
    @Test func aJobWaitsForAVenueThatDoesNotAnswerYet() async throws {
        let port = try freeFixedPort()
        let apiKey = "hmac-" + UUID().uuidString
        let secret = String(repeating: "c", count: 64)
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            try await cluster.addCredential(apiKey: apiKey, secret: secret)
            try cluster.startWorker("w1")
            _ = try await cluster.create(Self.spec(port: port))
            try await waitUntil("reconciling", timeout: .seconds(30)) {
                try await cluster.job("live-1").shownStatus == "reconciling"
            }
            // A few retries with no venue: still waiting, not failed.
            try await Task.sleep(for: .seconds(3))
            #expect(try await cluster.job("live-1").shownStatus == "reconciling")
            let venue = try await FakeVenueProcess(
                tickMs: 50, volatility: 0.002, port: port, apiKey: apiKey, hmacSecret: secret)
            defer { Task { await venue.stop() } }
            try await waitUntil("trading once the venue answers", timeout: .seconds(90)) {
                try await cluster.job("live-1").barsDone >= 3
            }
            #expect(try await cluster.job("live-1").shownStatus == "running")
            #expect(try await cluster.job("live-1").lastError == nil)
        }
    }

    /// The leader coordinator is killed (kill -9) while an order is in flight at the venue (placed,
    /// its answer held): the worker carries on with the coordinator elected next, the order is
    /// settled and its fill stored once, and every later order is placed once.
    @Test func theLeaderCoordinatorKilledMidOrderLosesNothing() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey], coordinators: 2) { cluster in
            let leader = try #require(try await cluster.findLeader())
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            try cluster.startWorker("w1")
            _ = try await cluster.create(Self.spec(port: venue.port))
            try await waitUntil("two orders placed", timeout: .seconds(90)) {
                try await venue.placements().byId.count >= 2
            }
            try await venue.inject(["kind": "acceptThenTimeout", "delayMs": 8_000])
            let heldId = try await venue.orderHit(by: "acceptThenTimeout")
            await cluster.killCoordinator(leader)
            try await waitUntil("a new leader", timeout: .seconds(30)) {
                try await cluster.findLeader() == 1 - leader
            }
            try await Task.sleep(for: .seconds(1))  // RestartSec=1
            try cluster.startCoordinator(leader)
            let placedAfterKill = try await venue.placements().byId.count
            try await waitUntil("trading again", timeout: .seconds(90)) {
                try await venue.placements().byId.count >= placedAfterKill + 2
            }
            let (placed, orders) = try await Self.stopAndCheckEveryOrderAndFill(cluster, venue)
            #expect(placed[heldId] == 1)
            #expect(orders.first { $0.clientOrderId == heldId }?.state == "accepted", "\(orders)")
        }
    }

    /// A worker on another host loses its coordinator but not its venue, with an order in flight
    /// (placed, its answer held 3 s): it stops trading by itself before the job is handed over;
    /// its successor finds the held order by its client id, books its fill and trades on; once the
    /// network heals, what the cut-off worker still held (the order's answer, its fill) is refused
    /// as stale. Every order once, every fill once.
    @Test func aWorkerCutOffFromItsCoordinatorButNotItsVenueStopsBeforeItsSuccessorTrades() async throws {
        let host = try NetworkNamespace(index: 2, links: 2)
        defer { host.remove() }
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002, host: "0.0.0.0")
        defer { Task { await venue.stop() } }
        // A worker on another host gets a credential only over mutual TLS.
        let certificates = try await TLSTests.certificates()
        let worker = TLSTests.worker(certificates, cert: "worker")
        try await TestCluster.with(
            environment: [
                "ATS_MASTER_KEY": Self.masterKey, "ATS_WORKER_HOST": "0.0.0.0", "ATS_LEASE_TIMEOUT_MS": "4000",
                "ATS_HEARTBEAT_MS": "500", "ATS_TLS_CERT": "\(certificates)/coordinator.pem",
                "ATS_TLS_KEY": "\(certificates)/coordinator.key",
                "ATS_TLS_CA": "\(certificates)/ca.pem",
            ]
        ) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            // Link 0 carries the coordinator's connection, link 1 the venue's.
            let remote = try cluster.startWorker(
                "remote", coordinators: "\(host.hostAddresses[0]):\(cluster.workerPort)", launcher: host.launcher,
                environment: worker.merging(["ATS_TLS_SERVER_NAME": "localhost"]) { $1 })
            var spec = Self.spec(port: venue.port)
            spec.market?.endpoint = "http://\(host.hostAddresses[1]):\(venue.port)"
            _ = try await cluster.create(spec)
            try await waitUntil("two orders placed from the remote host", timeout: .seconds(90)) {
                try await venue.placements().byId.count >= 2
            }
            #expect(try await cluster.job("live-1").leaseOwner == "remote")

            try await venue.inject(["kind": "acceptThenTimeout", "delayMs": 3_000])
            let heldId = try await venue.orderHit(by: "acceptThenTimeout")
            let cut = Date()
            try host.partition(link: 0)
            try cluster.startWorker("local", environment: worker)
            let held = try #require(try await Self.orders(cluster).first { $0.clientOrderId == heldId })
            try await waitUntil("the held order settled by the local worker and trading again", timeout: .seconds(90)) {
                let orders = try await Self.orders(cluster)
                return try await cluster.job("live-1").leaseOwner == "local"
                    && orders.contains { $0.clientOrderId == heldId && $0.state == "accepted" }
                    && orders.contains { $0.epoch > held.epoch && $0.state == "accepted" }
            }

            // The remote worker stopped the job before the coordinator handed it over.
            let fenced = try #require(
                remote.log.firstMatch(of: /fenced_at_ms=(\d+)/).flatMap { Int64($0.1) },
                "the remote worker fenced itself: \(remote.log.suffix(2000))")
            let handedOver = try #require(
                try await cluster.events("live-1").first { $0.kind == "assigned" && $0.detail.contains("local") })
            let fencedAt = Date(timeIntervalSince1970: Double(fenced) / 1000)
            print(
                "LIVE partition: the cut-off worker fenced " + String(format: "%.3f", fencedAt.timeIntervalSince(cut))
                    + " s after the cut, the job handed over "
                    + String(format: "%.3f", handedOver.at.timeIntervalSince(cut))
                    + " s after (lease 4 s, heartbeat 0.5 s)")
            #expect(fencedAt < handedOver.at, "fenced at \(fencedAt), handed over at \(handedOver.at)")
            #expect(fencedAt > cut)

            // Healed: the remote worker is back, and what it still held changes nothing.
            try host.heal(link: 0)
            try await waitUntil("the remote worker reconnected", timeout: .seconds(60)) {
                try await cluster.workerRecords().contains { $0.id == "remote" && $0.connected }
            }
            let (placed, _) = try await Self.stopAndCheckEveryOrderAndFill(cluster, venue)
            #expect(placed[heldId] == 1)
        }
    }

    /// The worker dies twice with an order in flight, and each successor reconciles before it
    /// trades: first between the verdict and the venue's answer (the venue placed the order and
    /// held its answer), then after the venue answered -1007 without placing it. The successor
    /// finds the first order by its client id and books its fill from the trades since the
    /// checkpoint, and concludes the second was not placed only after the window and the
    /// engine's timeout, showing RECONCILING meanwhile. Every order once, every fill once, and the
    /// fills the successor booked again equal the ones already stored (a difference fails the job).
    @Test func aWorkerKilledWithAnOrderInFlightIsReconciledByItsSuccessor() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(
            environment: [
                "ATS_MASTER_KEY": Self.masterKey, "ATS_LEASE_TIMEOUT_MS": "4000", "ATS_HEARTBEAT_MS": "500",
            ]
        ) { cluster in
            try await cluster.addCredential(apiKey: venue.hmac.apiKey, secret: venue.hmacSecret)
            let w1 = try cluster.startWorker("w1")
            _ = try await cluster.create(Self.spec(port: venue.port))
            try await waitUntil("two orders placed", timeout: .seconds(90)) {
                try await venue.placements().byId.count >= 2
            }

            // 1. The next order is placed and its answer held: the worker dies waiting for it.
            // The venue names the order the fault hit (whichever the job sent next).
            try await venue.inject(["kind": "acceptThenTimeout", "delayMs": 60_000])
            let heldId = try await venue.orderHit(by: "acceptThenTimeout")
            w1.signal(SIGKILL)
            let held = try #require(try await Self.orders(cluster).first { $0.clientOrderId == heldId })
            #expect(held.state == "written", "killed between the verdict and the answer: \(held)")
            #expect(try await venue.placements().byId[held.clientOrderId] == 1)
            let w2 = try cluster.startWorker("w2")
            try await waitUntil("the held order settled and trading again", timeout: .seconds(90)) {
                let orders = try await Self.orders(cluster)
                return orders.contains { $0.clientOrderId == held.clientOrderId && $0.state == "accepted" }
                    && orders.contains { $0.epoch > held.epoch }
            }

            // 2. The next order is answered -1007 and not placed: the worker dies before it can
            // conclude so; its successor may conclude it only after the order's window.
            try await venue.inject(["kind": "unknownNotPlaced"])
            let lostId = try await venue.orderHit(by: "unknownNotPlaced")
            try await Task.sleep(for: .milliseconds(300))
            w2.signal(SIGKILL)
            let lost = try #require(try await Self.orders(cluster).first { $0.clientOrderId == lostId })
            #expect(try await venue.placements().byId[lostId] == nil, "the -1007 order was not placed")
            try cluster.startWorker("w3")
            try await waitUntil("RECONCILING while the window runs", timeout: .seconds(60), every: .milliseconds(100)) {
                let j = try await cluster.job("live-1")
                return j.leaseOwner == "w3" && j.shownStatus == "reconciling"
            }
            let shown = try await cluster.ats(["job", "list"])
            #expect(shown.output.contains("reconciling"), "\(shown.output)")
            try await waitUntil("concluded not placed and trading", timeout: .seconds(60)) {
                let orders = try await Self.orders(cluster)
                return orders.contains { $0.clientOrderId == lost.clientOrderId && $0.state == "not_placed" }
                    && orders.contains { $0.epoch > lost.epoch && $0.state == "accepted" }
            }
            #expect(try await cluster.job("live-1").shownStatus == "running")

            let (placed, _) = try await Self.stopAndCheckEveryOrderAndFill(cluster, venue)
            #expect(placed[lost.clientOrderId] == nil)
        }
    }
}
