import Foundation
import Testing

@testable import ATSEngine

/// A strategy on a venue whose orders are carried out elsewhere: what it submits waits for the
/// executor, and the wallet moves only with the executions reported back.
@Suite struct ExternalVenueTests {
    static let instrument = Instrument(base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.00001)

    static func venue() -> ExternalVenue {
        ExternalVenue(instrument: instrument, wallet: Wallet(base: Balance(free: 0), quote: Balance(free: 10_000)))
    }

    static func bar(_ i: Int, _ close: Double) -> Bar {
        Bar(time: Int64(i) * 60_000, open: close, high: close, low: close, close: close, volume: 1)
    }

    @Test func ordersWaitForTheExecutorAndTheWalletMovesOnlyWithFills() throws {
        var v = Self.venue()
        let buy = v.submit(.limit(.buy, 0.1234567, at: 50_000.004))
        #expect(v.order(buy)?.quantity == 0.12345 && v.order(buy)?.limitPrice == 50_000)
        #expect(v.wallet.quote.free == 10_000, "nothing moves on submission")
        let taken = v.takeSubmissions()
        #expect(taken.map(\.id) == [buy] && v.takeSubmissions().isEmpty)
        // A partial execution, then the rest; fees in the asset the venue charged.
        let partial = v.filled(
            buy, price: 50_000, quantity: 0.1, feeBase: 0.0001, feeQuote: 0, liquidity: .maker, time: 1)
        let first = try #require(partial)
        #expect(first.seq == 0 && v.order(buy)?.status == .partiallyFilled)
        _ = v.filled(buy, price: 50_000, quantity: 0.02345, feeBase: 0, feeQuote: 0, liquidity: .maker, time: 2)
        #expect(v.order(buy)?.status == .filled && v.openOrders.isEmpty)
        #expect(abs(v.wallet.base.free - 0.12335) < 1e-12)
        #expect(abs(v.wallet.quote.free - (10_000 - 50_000 * 0.12345)) < 1e-9)
        // An execution for an order no longer working is not booked.
        let late = v.filled(buy, price: 1, quantity: 1, feeBase: 0, feeQuote: 0, liquidity: .taker, time: 3)
        #expect(late == nil)
    }

    @Test func refusalsCancelsAndWhatTheLiveVenueDoesNotTake() {
        var v = Self.venue()
        let stopLimit = v.submit(
            OrderRequest(side: .sell, type: .stopLimit, quantity: 0.1, limitPrice: 39_900, stopPrice: 40_000))
        #expect(v.order(stopLimit)?.status == .rejected && v.order(stopLimit)?.rejectReason == .unsupportedOnVenue)
        let noTrigger = v.submit(OrderRequest(side: .sell, type: .stop, quantity: 0.1))
        #expect(v.order(noTrigger)?.rejectReason == .missingStopPrice)
        // A stop goes to the executor (a STOP_LOSS at the venue).
        let stop = v.submit(.stop(.sell, 0.1, at: 40_000.004))
        let stops = v.takeSubmissions()
        #expect(stops.map(\.id) == [stop] && stops.first?.stopPrice == 40_000)
        let zero = v.submit(.market(.buy, 0))
        let queued = v.takeSubmissions()
        #expect(v.order(zero)?.rejectReason == .quantityNotPositive && queued.isEmpty, "zero quantity never queued")
        // Canceled before it was taken: never sent, nothing to ask the venue.
        let a = v.submit(.market(.buy, 0.1))
        let canceledA = v.cancel(a)
        let none = v.takeSubmissions()
        #expect(canceledA && v.order(a)?.status == .canceled && none.isEmpty)
        // Canceled after: the cancel is queued for the executor, the order works until it says so.
        let b = v.submit(.limit(.buy, 0.1, at: 49_000))
        _ = v.takeSubmissions()
        let canceledB = v.cancel(b)
        let asked = v.takeCancellations()
        #expect(canceledB && asked == [b] && v.order(b)?.status == .pending)
        v.canceled(b)
        #expect(v.order(b)?.status == .canceled)
        let c = v.submit(.market(.buy, 1))
        v.rejected(c, reason: .venueRefused(code: -2010))
        #expect(v.order(c)?.rejectReason == .venueRefused(code: -2010) && v.openOrders.map(\.id) == [stop])
    }

    /// A filled entry's bracket is queued as the simulated exchange places it — take-profit
    /// limit, then stop-loss stop, numbered next and linked — for what the fill left in the
    /// wallet (the venue took the commission in the base asset).
    @Test func aFilledEntrysBracketIsQueuedAsTwoLinkedLegs() {
        var v = Self.venue()
        let entry = v.submit(
            OrderRequest(side: .buy, type: .market, quantity: 0.1, takeProfit: 55_000, stopLoss: 45_000))
        #expect(v.takeSubmissions().map(\.id) == [entry])
        _ = v.filled(entry, price: 50_000, quantity: 0.1, feeBase: 0.0001, feeQuote: 0, liquidity: .taker, time: 1)
        let legs = v.takeSubmissions()
        #expect(legs.map(\.type) == [.limit, .stop] && legs.map(\.id) == [entry + 1, entry + 2])
        #expect(legs[0].ocoId == legs[1].id && legs[1].ocoId == legs[0].id)
        #expect(legs.allSatisfy { $0.side == .sell && abs($0.quantity - 0.0999) < 1e-12 && $0.parentId == entry })
        #expect(legs[0].limitPrice == 55_000 && legs[1].stopPrice == 45_000)
        #expect(v.openOrders.count == 2)
        // A bracket on the wrong side of the entry is refused at once, as in a backtest.
        v.moveTo(Self.bar(1, 50_000), index: 1)
        let wrong = v.submit(OrderRequest(side: .buy, type: .market, quantity: 0.1, takeProfit: 49_000))
        #expect(v.order(wrong)?.rejectReason == .invalidBracket(.takeProfitOnTheLossSide))
        let wrongStop = v.submit(
            OrderRequest(side: .buy, type: .limit, quantity: 0.1, limitPrice: 48_000, stopLoss: 48_500))
        #expect(v.order(wrongStop)?.rejectReason == .invalidBracket(.stopLossOnTheProfitSide))
    }

    /// A bracket the venue refused because the market is already past it is settled as the
    /// simulated exchange settles a crossed bracket: the leg the market is past goes out at market
    /// under its own id and tag, its partner ends, and the position is closed by the fill.
    @Test func aBracketTheMarketIsPastExitsAtMarketThroughTheCrossedLeg() throws {
        for (price, crossedTag) in [(44_000.0, "stop_loss"), (56_000, "take_profit"), (46_000, "stop_loss")] {
            var v = Self.venue()
            let entry = v.submit(
                OrderRequest(side: .buy, type: .market, quantity: 0.1, takeProfit: 55_000, stopLoss: 45_000))
            _ = v.takeSubmissions()
            _ = v.filled(entry, price: 50_000, quantity: 0.1, feeBase: 0, feeQuote: 0, liquidity: .taker, time: 1)
            let legs = v.takeSubmissions()
            // Either leg's refusal settles the pair; the stop leg's here, as the runner may see it.
            let settled = v.exitCrossedBracket(legs[1].id, marketPrice: price)
            let exit = try #require(settled)
            let crossed = try #require(legs.first { $0.tag == InlineString(crossedTag) })
            let other = try #require(legs.first { $0.id != crossed.id })
            #expect(exit == crossed.id, "at \(price)")
            #expect(v.order(other.id)?.status == .canceled)
            let queued = v.takeSubmissions()
            #expect(queued.count == 1 && queued[0].id == exit && queued[0].type == .market)
            #expect(queued[0].side == .sell && queued[0].quantity == 0.1 && queued[0].tag == crossed.tag)
            #expect(queued[0].limitPrice == nil && queued[0].stopPrice == nil && queued[0].ocoId == nil)
            let filled = v.filled(
                exit, price: price, quantity: 0.1, feeBase: 0, feeQuote: 0, liquidity: .taker, time: 2)
            let fill = try #require(filled)
            #expect(fill.tag == crossed.tag && v.wallet.base.total == 0 && v.openOrders.isEmpty)
            // Settled once: the partner's refusal, reported next, changes nothing.
            #expect(v.exitCrossedBracket(other.id, marketPrice: price) == nil)
        }
        // A lone stop-loss leg is the one that goes out; an order that is not a leg is left alone.
        var v = Self.venue()
        let entry = v.submit(OrderRequest(side: .buy, type: .market, quantity: 0.1, stopLoss: 45_000))
        _ = v.takeSubmissions()
        _ = v.filled(entry, price: 50_000, quantity: 0.1, feeBase: 0, feeQuote: 0, liquidity: .taker, time: 1)
        let stop = try #require(v.takeSubmissions().first)
        #expect(v.exitCrossedBracket(stop.id, marketPrice: 44_000) == stop.id)
        #expect(v.takeSubmissions().map(\.type) == [.market])
        let plain = v.submit(.stop(.sell, 0.05, at: 40_000))
        #expect(v.exitCrossedBracket(plain, marketPrice: 39_000) == nil && v.order(plain)?.type == .stop)
    }

    /// An adopted order (found at the venue, unknown to the state) is numbered apart: the
    /// strategy's orders keep the ids a replay gives them, before and after a checkpoint.
    @Test func adoptedOrdersAreNumberedApartFromTheStrategys() throws {
        var v = Self.venue()
        let first = v.submit(.market(.buy, 0.1))
        let adopted = v.adopt(side: .sell, type: .limit, quantity: 0.05, limitPrice: 60_000, tag: "adopted")
        let second = v.submit(.market(.buy, 0.1))
        #expect([first, second] == [0, 1], "the strategy's numbering does not move")
        #expect(adopted == ExternalVenue.adoptedIds && v.order(adopted)?.status == .pending)
        // An OCO's stop leg (or a STOP_LOSS) is taken in as a stop, at its trigger.
        let stopLeg = v.adopt(
            side: .sell, type: .stop, quantity: 0.05, limitPrice: nil, stopPrice: 45_000, tag: "adopted")
        #expect(v.order(stopLeg)?.type == .stop && v.order(stopLeg)?.stopPrice == 45_000)
        var restored = try JSONDecoder().decode(ExternalVenue.self, from: try JSONEncoder().encode(v))
        let next = restored.adopt(side: .sell, type: .limit, quantity: 0.05, limitPrice: 61_000, tag: "adopted")
        #expect(next == ExternalVenue.adoptedIds + 2)
        #expect(restored.submit(.market(.sell, 0.1)) == 2)
        // A checkpoint from before adoption was numbered apart decodes, and starts the range.
        var old = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Self.venue())) as! [String: Any]
        old["nextAdoptedId"] = nil
        var older = try JSONDecoder().decode(
            ExternalVenue.self, from: try JSONSerialization.data(withJSONObject: old))
        let fromOld = older.adopt(side: .buy, type: .limit, quantity: 0.05, limitPrice: 1, tag: "adopted")
        #expect(fromOld == ExternalVenue.adoptedIds)
    }

    @Test func aBuiltInStrategyTradesAndItsLiveStateRoundTrips() throws {
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:sma_cross", config: ["fast": .int(2), "slow": .int(4)]),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
            portfolio: .init(cash: 10_000))
        let run = try Registry.builtIn.resolve(spec)
        var session = try Registry.builtIn.makeLiveSession(run, venue: Self.venue())
        // Falling then rising closes: the fast average crosses above the slow one.
        for (i, close) in [100.0, 99, 98, 97, 96, 97, 99, 102, 106].enumerated() {
            session.step(Self.bar(i, close))
            if !session.venue.submissions.isEmpty { break }
        }
        let orders = session.venue.takeSubmissions()
        let order = try #require(orders.first)
        #expect(order.side == .buy && order.quantity > 0)
        let executed = session.venue.filled(
            order.id, price: 106, quantity: order.quantity, feeBase: 0, feeQuote: 0.1, liquidity: .taker, time: 1)
        let fill = try #require(executed)
        session.deliver(fill)
        #expect(session.venue.wallet.base.free == order.quantity)

        let restored = try Registry.builtIn.makeLiveSession(
            run, venue: Self.venue(), checkpoint: try session.checkpoint())
        #expect(restored.cursor == session.cursor)
        #expect(restored.venue.wallet == session.venue.wallet)
        let a = try restored.checkpoint()
        let b = try session.checkpoint()
        #expect(a == b)
    }
}
