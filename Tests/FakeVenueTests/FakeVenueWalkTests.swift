import ATSVenues
import Testing

@testable import ATSFakeVenue

/// The price path held still: a resting order the walk would reach stays resting, and a test's own
/// move of the price still trades (what a live test relies on to stop a job with nothing moving).
@Suite struct FakeVenueWalkTests {
    @Test func aHeldWalkTradesNothingAndATestsMoveStillDoes() throws {
        let venue = FakeVenue(configuration: FakeExchangeTests.configuration)
        let d = FakeExchangeTests.d
        _ = try venue.withExchange {
            $0.place(
                [
                    "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.1", "price": "49000",
                    "timeInForce": "GTC", "newClientOrderId": "w1",
                ], account: "alice", nowMs: 1)
        }.get()
        venue.holdWalk(true)
        venue.walk(symbol: "BTCUSDT", price: d("48000"))
        #expect(venue.exchange.orders[0].status == .new)
        #expect(venue.lastPrice("BTCUSDT") == d("50000"), "the held walk did not trade")

        venue.holdWalk(false)
        venue.walk(symbol: "BTCUSDT", price: d("49500"))
        #expect(venue.lastPrice("BTCUSDT") == d("49500"))
        venue.holdWalk(true)
        venue.tick(symbol: "BTCUSDT", price: d("48900"))
        #expect(venue.exchange.orders[0].status == .filled, "a test's move trades while the walk is held")
    }
}
