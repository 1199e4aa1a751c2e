import ATSTestSupport
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

/// The user data stream against the fake venue: execution reports as they happen, and after a
/// dropped stream or `serverShutdown` a new subscription whose gap is refilled from `myTrades`,
/// every trade counted once.
@Suite(.serialized, .timeLimit(.minutes(2))) struct BinanceUserStreamTests {
    final class Recorder: Sendable {
        let events = NIOLockedValueBox<[BinanceUserStream.Event]>([])
        func add(_ e: BinanceUserStream.Event) { events.withLockedValue { $0.append(e) } }
        var subscriptions: Int {
            events.withLockedValue { $0.filter { if case .subscribed = $0 { true } else { false } }.count }
        }
        var tradeIds: [Int64] {
            events.withLockedValue {
                $0.compactMap {
                    if case .event(.executionReport(let r)) = $0, r.isTrade { r.tradeId } else { nil }
                }
            }
        }
        func wait(_ what: String, _ condition: @Sendable () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while !condition() {
                guard ContinuousClock.now < deadline else {
                    throw TestEnvironmentError("timed out waiting for \(what)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test func reportsArriveAndAGapIsRefilledOnceAfterADropOrAShutdown() async throws {
        let venue = try await FakeVenueProcess()
        defer { Task { await venue.stop() } }
        let client = try await BinanceConnectorTests.client(venue, venue.ed25519)
        let placer = OrderPlacer(client: client)
        let recorder = Recorder()
        let stream = BinanceUserStream(
            url: venue.endpoint.webSocketAPI, credentials: venue.ed25519, logger: BinanceConnectorTests.logger,
            venueNowMs: { client.venueNowMs() })
        let task = Task { await stream.run { recorder.add($0) } }
        defer { task.cancel() }
        try await recorder.wait("the first subscription") { recorder.subscriptions == 1 }

        var ledger = TradeLedger()
        let first = try await placer.place(
            BinanceConnectorTests.buy(sequence: 1), persist: BinanceConnectorTests.persisted())
        let firstTrade = try #require(first.order?.fills.first?.tradeId)
        // Counted from the stream's report (an order's own answer is not a source)…
        try await recorder.wait("the first trade's report") { recorder.tradeIds.contains(firstTrade) }
        let counted = ledger.record(firstTrade)
        #expect(counted)
        var countedTrades = 1
        // …and not again when a refill brings it.
        let again = ledger.record(firstTrade)
        #expect(!again)
        #expect(ledger.refillFrom == firstTrade + 1)

        for (k, fault) in ["dropStreams", "serverShutdown"].enumerated() {
            try await venue.inject(["kind": fault])
            // A resting order fills while the stream may be down: only a refill can know it.
            let sell = OrderPlacer.Request(
                symbol: "BTCUSDT", side: .sell, type: .limit, timeInForce: .gtc,
                fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.01")!, price: VenueDecimal("50100")!),
                clientOrderId: ClientOrderId(job: 7, epoch: 1, sequence: Int64(2 + k)))
            let placed = try await placer.place(sell, persist: BinanceConnectorTests.persisted())
            guard case .accepted = placed.state else { Issue.record("\(fault): \(placed.state)"); return }
            try await venue.setPrice("50200")
            try await recorder.wait("a new subscription after \(fault)") { recorder.subscriptions == 2 + k }
            let gapFrom = ledger.refillFrom
            for t in try await client.trades(symbol: "BTCUSDT", fromId: gapFrom) where ledger.record(t.id) {
                countedTrades += 1
            }
            for id in recorder.tradeIds where ledger.record(id) { countedTrades += 1 }
            try await venue.setPrice("50000")
        }
        // Every trade the venue made for the account, counted exactly once.
        let venueTrades = try await client.trades(symbol: "BTCUSDT", fromId: 1)
        #expect(venueTrades.count == 3)
        #expect(countedTrades == venueTrades.count)
        for t in venueTrades {
            let missed = ledger.record(t.id)
            #expect(!missed, "trade \(t.id) was missed")
        }
    }
}
