import Foundation
import Testing

@testable import ATSEngine

/// The seed's liquidation on a drifting base/quote balance (``Liquidation``): a position whose
/// value passes its share of equity goes back to quote at market, once, with its orders cancelled.
struct LiquidationTests {
    static func exchange(cash: Double, base: Double) -> SimulatedExchange {
        SimulatedExchange(
            instrument: Instrument(base: "BTC", quote: "USDT"), config: SimulationConfig(allowShort: true),
            fees: GenericFees(rate: 0), cash: cash, baseBalance: base)
    }

    static func bar(_ i: Int, _ price: Double) -> Bar {
        Bar(time: Int64(i) * 60_000, open: price, high: price, low: price, close: price, volume: 1_000)
    }

    @Test func aLongPastItsShareIsSoldOnceWithItsOrdersCancelled() {
        // 5 BTC at 100 beside 500 USDT: the position is half the equity.
        var venue = Self.exchange(cash: 500, base: 5)
        var l = Liquidation(bound: 0.6)
        func check(_ close: Double) -> Bool { l.check(close: close, venue: &venue) }
        venue.process(bar: Self.bar(0, 100), index: 0)
        venue.submit(.limit(.sell, 5, at: 200, tag: "take_profit"))
        #expect(!check(100))
        // At 150: 750 of 1,250 is 0.6, not past it; at 151 it is.
        venue.process(bar: Self.bar(1, 150), index: 1)
        #expect(!check(150))
        venue.process(bar: Self.bar(2, 151), index: 2)
        #expect(check(151))
        #expect(venue.openOrders.map(\.tag) == ["liquidate"])
        #expect(venue.openOrders.first?.side == .sell && venue.openOrders.first?.quantity == 5)
        // Still working at the next check: no second order.
        #expect(check(151))
        #expect(venue.openOrders.count == 1)
        venue.process(bar: Self.bar(3, 152), index: 3)
        #expect(venue.positionSign == 0)
        #expect(venue.wallet.quote.total == 500 + 5 * 152)
        #expect(!check(152))
        #expect(l.failures == 0 && !l.pending)
    }

    @Test func aShortPastItsShareIsBoughtBack() {
        // Short 5 at 100 with 1,500 USDT: equity 1,000, the position half of it.
        var venue = Self.exchange(cash: 1_500, base: -5)
        var l = Liquidation(bound: 0.55)
        func check(_ close: Double) -> Bool { l.check(close: close, venue: &venue) }
        venue.process(bar: Self.bar(0, 100), index: 0)
        #expect(!check(100))
        // At 110: 550 of 950 is 0.579.
        venue.process(bar: Self.bar(1, 110), index: 1)
        #expect(check(110))
        #expect(venue.openOrders.first?.side == .buy && venue.openOrders.first?.quantity == 5)
        venue.process(bar: Self.bar(2, 110), index: 2)
        #expect(venue.positionSign == 0)
    }

    /// A short whose equity has gone below zero cannot buy back all of it: it buys back what
    /// the quote pays, and what is left is tried again after 2, 4, 8 … bars, never every bar.
    @Test func aBuyBackIsCutToWhatTheQuotePays() {
        // Short 10 at 100 with 1,200 USDT; at 150 the position is worth 1,500: equity -300.
        var venue = Self.exchange(cash: 1_200, base: -10)
        var l = Liquidation(bound: 0.9)
        func check(_ close: Double) -> Bool { l.check(close: close, venue: &venue) }
        venue.process(bar: Self.bar(0, 150), index: 0)
        #expect(check(150))
        #expect(venue.openOrders.first?.quantity == 8, "1,200 pays for 8 at 150")
        var sent = [0]
        for i in 1..<40 {
            venue.process(bar: Self.bar(i, 150), index: i)
            let before = venue.orderCount
            _ = check(150)
            if venue.orderCount > before { sent.append(i) }
        }
        // 8 bought back, 2 left and still past the bound (equity -300, no quote): the quote pays
        // for nothing more, so nothing more is sent.
        #expect(venue.position == -2 && venue.wallet.quote.total == 0)
        #expect(sent == [0], "\(sent): no order the quote cannot pay")
        #expect(l.failures >= 1)
    }

    /// A liquidation the venue refuses is not sent again every bar: 2, 4, 8, … bars apart.
    @Test func aRefusedLiquidationIsTriedAgainLessAndLessOften() {
        var l = Liquidation(bound: 0.5)
        var tries: [Int] = []
        for bar in 0..<200 where l.decide(beyond: true, bar: bar) {
            tries.append(bar)
            l.noteSent(at: bar)
        }
        let gaps = zip(tries.dropFirst(), tries).map { $0 - $1 }
        #expect(Array(gaps.prefix(7)) == [2, 4, 8, 16, 32, 64, 64], "\(tries)")
        // Back under the bound, it starts afresh.
        let under = l.decide(beyond: false, bar: 200)
        let again = l.decide(beyond: true, bar: 201)
        #expect(!under && again && l.failures == 0)
    }

    @Test func aBoundThatLeavesNoRoomForAnEntryIsRefusedByName() {
        #expect {
            try Registry.builtIn.resolve(
                StrategyTests.spec("simple_ma", ["order_value_pct": .double(0.5), "liquidate_share": .double(0.5)]))
        } throws: { ($0 as? SpecError)?.field == "strategy.config.liquidate_share" }
        #expect(throws: Never.self) {
            try Registry.builtIn.resolve(StrategyTests.spec("simple_ma", ["liquidate_share": .double(0)]))
        }
    }

    /// Over 30,000 bars with brackets too wide to fill, every position that outgrows its share is
    /// liquidated, flat afterwards; cut anywhere and resumed, the run is the same bit for bit.
    @Test func simpleMALiquidatesAndResumesExactly() throws {
        let spec = StrategyTests.spec(
            "simple_ma",
            [
                "go_short": .bool(true), "confirm": .string("none"), "tp_std": .double(1000), "sl_std": .double(1000),
                "liquidate_share": .double(0.52),
            ])
        let whole = try StrategyTests().run(spec)
        let liquidations = whole.fills.filter { $0.tag == "liquidate" }
        #expect(liquidations.count >= 3, "\(liquidations.count)")
        var position = 0.0
        for f in whole.fills {
            if f.tag == "liquidate" {
                #expect(f.side == (position > 0 ? .sell : .buy))
                #expect(abs(abs(position) - f.quantity) < 1e-9, "the whole position")
            }
            position += f.side == .buy ? f.quantity : -f.quantity
        }
        let cut = try StrategyTests().run(spec, cuts: [7_001, 15_555, 29_000])
        #expect(cut.fills == whole.fills)
        #expect(cut.checkpoint == whole.checkpoint)
    }
}
