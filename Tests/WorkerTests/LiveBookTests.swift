import ATSEngine
import ATSShared
import ATSVenues
import Testing

@testable import ATSWorker

/// A live run's book settling a filled entry's bracket the venue did not take: refused because the
/// market is past it (the crossed leg out at market), or proven never placed (queued again).
@Suite struct LiveBookTests {
    /// A book whose strategy has bought 0.1 BTC at 50,000 with a bracket at 55,000 / 45,000, the
    /// two legs taken for the venue under their client ids.
    static func bookWithABracket() throws -> (LiveBook, legs: [String]) {
        let instrument = Instrument(base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.00001)
        let spec = RunSpec(
            exchange: .init(namespace: "exchanges:simulated", symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:noop", config: [:]),
            fees: ComponentRef(namespace: "fees:generic", config: [:]), portfolio: .init(cash: 10_000))
        let venue = ExternalVenue(
            instrument: instrument, wallet: Wallet(base: Balance(free: 0), quote: Balance(free: 10_000)))
        let registry = Registry.builtIn
        var book = LiveBook(
            session: try registry.makeLiveSession(try registry.resolve(spec), venue: venue), instrument: instrument,
            job: 7, epoch: 1, lengthMs: 1_000, restored: nil)
        let entry = book.session.venue.submit(
            OrderRequest(side: .buy, type: .market, quantity: 0.1, takeProfit: 55_000, stopLoss: 45_000))
        _ = book.session.venue.takeSubmissions()
        _ = book.session.venue.filled(
            entry, price: 50_000, quantity: 0.1, feeBase: 0, feeQuote: 0, liquidity: .taker, time: 1)
        let legs = book.session.venue.takeSubmissions().map { book.take($0.id).description }
        return (book, legs)
    }

    @Test func aRefusedBracketGoesOutAtMarketThroughTheCrossedLegOnce() throws {
        var (book, legs) = try Self.bookWithABracket()
        #expect(legs.allSatisfy(book.isBracketLeg))
        let settled = book.exitCrossedBracket(legs[0], marketPrice: 44_000)
        #expect(settled)
        // Both client ids are done; the partner's refusal, read next, finds nothing to do.
        #expect(book.working.isEmpty && book.inFlight.isEmpty)
        let again = book.exitCrossedBracket(legs[1], marketPrice: 44_000)
        #expect(!again)
        let exit = book.session.venue.takeSubmissions()
        #expect(exit.count == 1 && exit[0].type == .market && exit[0].tag == "stop_loss" && exit[0].quantity == 0.1)
    }

    @Test func aBracketProvenNeverPlacedIsQueuedAgainAndAnEntryIsNot() throws {
        var (book, legs) = try Self.bookWithABracket()
        for leg in legs { book.notPlaced(leg) }
        #expect(book.working.isEmpty && book.inFlight.isEmpty)
        let again = book.session.venue.takeSubmissions()
        #expect(again.map(\.tag) == ["take_profit", "stop_loss"] && again[0].ocoId == again[1].id)
        #expect(book.session.venue.openOrders.count == 2)
        // A strategy's own order proven never placed ends.
        let order = book.session.venue.submit(.limit(.buy, 0.01, at: 40_000))
        _ = book.session.venue.takeSubmissions()
        let cid = book.take(order).description
        book.notPlaced(cid)
        #expect(book.session.venue.order(order)?.status == .canceled && book.session.venue.submissions.isEmpty)
    }
}
