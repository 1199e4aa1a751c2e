import ATSEngine
import Foundation
import Testing

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
        venue.process(bar: Self.bar(0, 100), index: 0)
        venue.submit(.limit(.sell, 5, at: 200, tag: "take_profit"))
        #expect(!Liquidation.check(bound: 0.6, close: 100, venue: &venue))
        #expect(!Liquidation.check(bound: nil, close: 1_000, venue: &venue), "off")
        // At 150: 750 of 1,250 is 0.6, not past it; at 151 it is.
        venue.process(bar: Self.bar(1, 150), index: 1)
        #expect(!Liquidation.check(bound: 0.6, close: 150, venue: &venue))
        venue.process(bar: Self.bar(2, 151), index: 2)
        #expect(Liquidation.check(bound: 0.6, close: 151, venue: &venue))
        #expect(venue.openOrders.map(\.tag) == ["liquidate"])
        #expect(venue.openOrders.first?.side == .sell && venue.openOrders.first?.quantity == 5)
        // Still working at the next check: no second order.
        #expect(Liquidation.check(bound: 0.6, close: 151, venue: &venue))
        #expect(venue.openOrders.count == 1)
        venue.process(bar: Self.bar(3, 152), index: 3)
        #expect(venue.positionSign == 0)
        #expect(venue.wallet.quote.total == 500 + 5 * 152)
        #expect(!Liquidation.check(bound: 0.6, close: 152, venue: &venue))
    }

    @Test func aShortPastItsShareIsBoughtBack() {
        // Short 5 at 100 with 1,500 USDT: equity 1,000, the position half of it.
        var venue = Self.exchange(cash: 1_500, base: -5)
        venue.process(bar: Self.bar(0, 100), index: 0)
        #expect(!Liquidation.check(bound: 0.55, close: 100, venue: &venue))
        // At 110: 550 of 950 is 0.579.
        venue.process(bar: Self.bar(1, 110), index: 1)
        #expect(Liquidation.check(bound: 0.55, close: 110, venue: &venue))
        #expect(venue.openOrders.first?.side == .buy && venue.openOrders.first?.quantity == 5)
        venue.process(bar: Self.bar(2, 110), index: 2)
        #expect(venue.positionSign == 0)
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
