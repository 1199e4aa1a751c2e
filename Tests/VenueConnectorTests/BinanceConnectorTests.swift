import ATSTestSupport
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import Testing

/// The connector against the fake venue running as its own process: signed requests with both
/// key types, the server clock, and order placement under every fault the venue injects — in
/// each case the venue's own count says the order was placed at most once.
@Suite(.serialized, .timeLimit(.minutes(2))) struct BinanceConnectorTests {
    static let logger = Logger(label: "connector-test")

    static func client(
        _ venue: FakeVenueProcess, _ credentials: BinanceCredentials? = nil, recvWindowMs: Int64 = 5_000,
        timeout: Duration = .seconds(5), sync: Bool = true
    ) async throws -> BinanceRESTClient {
        let c = try BinanceRESTClient(
            endpoint: venue.endpoint, credentials: credentials ?? venue.hmac, recvWindowMs: recvWindowMs,
            timeout: timeout, logger: logger)
        if sync {
            try await c.syncClock()
            _ = try await c.exchangeInfo(symbol: "BTCUSDT")
        }
        return c
    }

    static func buy(_ qty: String = "0.01", job: Int64 = 7, sequence: Int64) -> OrderPlacer.Request {
        OrderPlacer.Request(
            symbol: "BTCUSDT", side: .buy, type: .market,
            fitted: SymbolFilters.Fitted(quantity: VenueDecimal(qty)!, price: nil),
            clientOrderId: ClientOrderId(job: job, epoch: 1, sequence: sequence))
    }

    static func persisted() -> (@Sendable (ClientOrderId) async throws -> Void) { { _ in } }

    @Test func bothKeyTypesSignRequestsTheVenueAccepts() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        for credentials in [venue.hmac, venue.ed25519] {
            let client = try await Self.client(venue, credentials)
            let balances = try await client.balances()
            #expect(balances.first { $0.asset == "USDT" }?.free == VenueDecimal("10000"))
            let info = try await client.exchangeInfo(symbol: "BTCUSDT")
            #expect(info.filters.price?.step == VenueDecimal("0.01"))
            #expect(info.limits.count == 3)
        }
        // A wrong secret: -1022, and nothing about the key in the error.
        let forged = BinanceCredentials(apiKey: venue.hmac.apiKey, signer: BinanceSigner(.hmac(secret: "wrong")))
        let client = try await Self.client(venue, forged)
        do {
            _ = try await client.balances()
            Issue.record("a forged signature was accepted")
        } catch let error as VenueRequestError {
            guard case .venue(_, let code, _) = error else { throw error }
            #expect(code == -1022)
            #expect(!"\(error)".contains("wrong"))
        }
        #expect(!"\(forged)".contains("wrong"))
        #expect("\(venue.hmac)".hasSuffix(String(venue.hmac.apiKey.suffix(4))))
    }

    @Test func theServerClockAbsorbsTheVenuesSkew() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        // The venue's clock 30 s behind ours: an unsynced timestamp is "1000ms ahead" (-1021). (At
        // 3 s, a request held 2 s on a loaded machine arrived within the venue's second and passed.)
        try await venue.inject(["kind": "clockSkew", "ms": -30_000])
        let naive = try await Self.client(venue, sync: false)
        do {
            _ = try await naive.balances()
            Issue.record("a timestamp 30 s ahead of the venue was accepted")
        } catch VenueRequestError.venue(_, let code, _) {
            #expect(code == -1021)
        }
        let synced = try await Self.client(venue)
        #expect(abs(synced.clockOffsetMs + 30_000) < 500)
        #expect(try await synced.balances().isEmpty == false)
    }

    @Test func aMarketOrderIsPlacedOnceWithItsFillsAndTradeIds() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        let placer = OrderPlacer(client: try await Self.client(venue))
        let request = Self.buy(sequence: 1)
        let outcome = try await placer.place(request, persist: Self.persisted())
        guard case .accepted = outcome.state else { Issue.record("not accepted: \(outcome.state)"); return }
        #expect(outcome.order?.fills.count == 1)
        #expect(outcome.order?.fills.first?.tradeId ?? 0 > 0)
        #expect(outcome.order?.fills.first?.price == VenueDecimal("50000"))
        #expect(outcome.queries == 0)
        #expect(try await venue.placements().byId[request.clientOrderId.description] == 1)
        // Filters refuse before anything is sent: 0.000015 is off LOT_SIZE's step at the venue.
        let off = OrderPlacer.Request(
            symbol: "BTCUSDT", side: .buy, type: .market,
            fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.000015")!, price: nil),
            clientOrderId: ClientOrderId(job: 7, epoch: 1, sequence: 2))
        let refused = try await placer.place(off, persist: Self.persisted())
        #expect(refused.state == .rejected(code: -1013, message: "Filter failure: LOT_SIZE"))
    }

    @Test func anAnswerLostAfterTheVenueAcceptedIsQueriedNeverResent() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        let placer = OrderPlacer(client: try await Self.client(venue, timeout: .milliseconds(800)))
        for (k, fault) in [["kind": "acceptThenTimeout", "delayMs": 3_000], ["kind": "error5xxAfterAccept"]]
            .enumerated()
        {
            try await venue.inject(fault)
            let request = Self.buy(sequence: Int64(10 + k))
            let outcome = try await placer.place(request, persist: Self.persisted())
            guard case .accepted = outcome.state else { Issue.record("\(fault): \(outcome.state)"); continue }
            #expect(outcome.queries >= 1, "\(fault)")
            #expect(try await venue.placements().byId[request.clientOrderId.description] == 1, "\(fault)")
        }
    }

    /// A run fenced while the venue holds its order's answer cancels the placement: it ends at
    /// once, status unknown (for the successor to settle by client id), and is not sent again.
    @Test func aPlacementCancelledWhileItsAnswerIsHeldEndsUnknownAndIsNotResent() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        // The client would wait a minute for the answer, and the venue holds it for two.
        let placer = OrderPlacer(client: try await Self.client(venue, timeout: .seconds(60)))
        try await venue.inject(["kind": "acceptThenTimeout", "delayMs": 120_000])
        let request = Self.buy(sequence: 30)
        let placing = Task { try await placer.place(request, persist: Self.persisted()) }
        let hit = try await venue.orderHit(by: "acceptThenTimeout")
        #expect(hit == request.clientOrderId.description)
        placing.cancel()
        let outcome = try await placing.value
        guard case .unknown = outcome.state else {
            Issue.record("a cancelled placement ends unknown, not \(outcome.state)")
            return
        }
        #expect(try await venue.placements().byId[hit] == 1)
    }

    /// A bracket's exit as one OCO list: placed once with both legs, even when its answer is
    /// lost (found by the limit leg's client id); a trade through the stop executes it and the
    /// limit leg expires. A stop-loss alone is a STOP_LOSS order.
    @Test func anOCOIsPlacedOnceAndItsStopExecutesWhenTheMarketFallsThroughIt() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        let client = try await Self.client(venue, timeout: .milliseconds(800))
        let placer = OrderPlacer(client: client)
        try await venue.inject(["kind": "acceptThenTimeout", "delayMs": 3_000])
        let limit = ClientOrderId(job: 7, epoch: 1, sequence: 40)
        let stop = ClientOrderId(job: 7, epoch: 1, sequence: 41)
        let request = OrderPlacer.Request(
            symbol: "BTCUSDT", side: .sell, type: .limitMaker,
            fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.2")!, price: VenueDecimal("52000")!),
            clientOrderId: limit, stop: .init(stopPrice: VenueDecimal("48000")!, clientOrderId: stop))
        let outcome = try await placer.place(request, persist: Self.persisted())
        guard case .accepted = outcome.state else {
            Issue.record("the lost answer's list is found: \(outcome.state)")
            return
        }
        #expect(outcome.queries >= 1)
        let placed = try await venue.placements().byId
        #expect(placed[limit.description] == 1 && placed[stop.description] == 1)
        let (_, stopLeg) = await client.queryOrder(symbol: "BTCUSDT", clientOrderId: stop)
        #expect(stopLeg?.status == "NEW" && stopLeg?.type == "STOP_LOSS")

        #expect(try await client.price(symbol: "BTCUSDT") == VenueDecimal("50000")!, "the ticker's last price")
        try await venue.setPrice("47500")
        #expect(try await client.price(symbol: "BTCUSDT") == VenueDecimal("47500")!)
        let (_, triggered) = await client.queryOrder(symbol: "BTCUSDT", clientOrderId: stop)
        let (_, expired) = await client.queryOrder(symbol: "BTCUSDT", clientOrderId: limit)
        #expect(triggered?.status == "FILLED" && triggered?.executedQty == VenueDecimal("0.2"))
        #expect(expired?.status == "EXPIRED")
        let trades = try await client.trades(symbol: "BTCUSDT", fromId: 1)
        #expect(trades.count == 1 && trades.first?.price == VenueDecimal("47500"))

        // A stop-loss alone: a STOP_LOSS order, off the book until a trade goes through it.
        let lone = ClientOrderId(job: 7, epoch: 1, sequence: 42)
        let stopOnly = try await placer.place(
            OrderPlacer.Request(
                symbol: "BTCUSDT", side: .sell, type: .stopLoss,
                fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.1")!, price: nil), clientOrderId: lone,
                stopPrice: VenueDecimal("47000")!), persist: Self.persisted())
        guard case .accepted = stopOnly.state else {
            Issue.record("a STOP_LOSS is accepted: \(stopOnly.state)")
            return
        }
        #expect(await client.queryOrder(symbol: "BTCUSDT", clientOrderId: lone).1?.status == "NEW")
        try await venue.setPrice("46900")
        #expect(await client.queryOrder(symbol: "BTCUSDT", clientOrderId: lone).1?.status == "FILLED")
    }

    @Test func notPlacedIsConcludedOnlyOnceTheWindowHasClosed() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        let window: Int64 = 1_500
        let client = try await Self.client(venue, recvWindowMs: window)
        let placer = OrderPlacer(client: client)
        try await venue.inject(["kind": "unknownNotPlaced"])
        let request = Self.buy(sequence: 20)
        let started = client.venueNowMs()
        let outcome = try await placer.place(request, persist: Self.persisted())
        #expect(outcome.state == .notPlaced)
        // Concluded from a query sent after the request's window and the engine's timeout.
        #expect(client.venueNowMs() - started > window + OrderIntent.defaultGraceMs)
        #expect(try await venue.placements().byId[request.clientOrderId.description] == nil)

        // The venue forwards the order, answers -1007 and its engine places it 3 s later, after
        // the window has closed: a "not found" then must not end it; the order is found.
        try await venue.inject(["kind": "latePlacement", "delayMs": 3_000])
        let late = Self.buy(sequence: 21)
        let found = try await placer.place(late, persist: Self.persisted())
        guard case .accepted = found.state else { Issue.record("late placement: \(found.state)"); return }
        #expect(try await venue.placements().byId[late.clientOrderId.description] == 1)
    }

    @Test func a429BacksOffAndA418HaltsEverythingUntilRetryAfter() async throws {
        let venue = try await FakeVenueProcess(extraConfiguration: ["violationsBeforeBan": 1])
        defer { Task { await venue.stop() } }
        let client = try await Self.client(venue)
        let placer = OrderPlacer(client: client)
        try await venue.inject(["kind": "tooManyRequests", "retryAfterSeconds": 1])
        do {
            _ = try await client.balances()
            Issue.record("no 429")
        } catch VenueRequestError.venue(let status, _, _) {
            #expect(status == 429)
        }
        // The next order waits out Retry-After (one request during the back-off would have
        // earned a ban here) and is placed once.
        let request = Self.buy(sequence: 30)
        let outcome = try await placer.place(request, persist: Self.persisted())
        guard case .accepted = outcome.state else { Issue.record("after a 429: \(outcome.state)"); return }
        #expect(try await venue.placements().byId[request.clientOrderId.description] == 1)

        try await venue.inject(["kind": "ban", "retryAfterSeconds": 2])
        do {
            _ = try await client.balances()
            Issue.record("no 418")
        } catch VenueRequestError.banned {}
        // Banned: the order is given up before anything is sent.
        let halted = Self.buy(sequence: 31)
        #expect(try await placer.place(halted, persist: Self.persisted()).state == .notPlaced)
        #expect(try await venue.placements().byId[halted.clientOrderId.description] == nil)
        try await Task.sleep(for: .milliseconds(2_200))
        #expect(try await client.balances().isEmpty == false)
    }
}
