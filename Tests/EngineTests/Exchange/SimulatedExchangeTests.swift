import ATSEngine
import Foundation
import Testing

struct SimulatedExchangeTests {
    static let instrument = Instrument(
        base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5)

    func exchange(
        _ config: SimulationConfig = SimulationConfig(), fees: any FeeModel = GenericFees(rate: 0),
        cash: Double = 10_000,
        base: Double = 0
    ) -> SimulatedExchange {
        var x = SimulatedExchange(
            instrument: Self.instrument, config: config, fees: fees, cash: cash, baseBalance: base)
        x.process(bar: bar(0, 100, 101, 99, 100), index: 0)
        return x
    }

    func bar(_ t: Int64, _ o: Double, _ h: Double, _ l: Double, _ c: Double, volume: Double = 1000) -> Bar {
        Bar(time: t * 60_000, open: o, high: h, low: l, close: c, volume: volume)
    }

    @Test func marketOrderFillsAtTheNextOpenByDefault() {
        var x = exchange()
        let id = x.submit(.market(.buy, 1))
        #expect(x.order(id)?.status == .pending)
        #expect(x.wallet.quote.held == 100)  // reserved at the last close
        x.process(bar: bar(1, 102, 103, 101, 102.5), index: 1)
        let fills = x.drainFills()
        #expect(fills.count == 1)
        #expect(fills[0].price == 102 && fills[0].quantity == 1 && fills[0].seq == 0 && fills[0].liquidity == .taker)
        #expect(x.order(id)?.status == .filled)
        #expect(x.wallet.quote.free == 10_000 - 102 && x.wallet.quote.held == 0 && x.wallet.base.free == 1)
    }

    @Test func closePolicyFillsAtTheSignalBarsCloseAtOnce() {
        var x = exchange(SimulationConfig(marketFill: .close))
        let id = x.submit(.market(.buy, 2))
        #expect(x.order(id)?.status == .filled)
        #expect(x.drainFills().map(\.price) == [100])
        #expect(x.openOrders.isEmpty)
    }

    @Test func limitOrdersFillAtTheLimitOrAtAGappedOpen() {
        var x = exchange()
        let a = x.submit(.limit(.buy, 1, at: 98))
        let b = x.submit(.limit(.buy, 1, at: 95))
        x.process(bar: bar(1, 99, 99.5, 97.5, 98), index: 1)  // reaches 98 from above: fills at 98
        #expect(x.order(a)?.status == .filled && x.order(a)?.averagePrice == 98)
        #expect(x.order(b)?.status == .pending)
        x.process(bar: bar(2, 90, 91, 89, 90), index: 2)  // opens below 95: fills at the open, better
        #expect(x.order(b)?.averagePrice == 90)
        let fills = x.drainFills()
        #expect(fills.map(\.liquidity) == [.maker, .maker])
    }

    /// Resting orders that no bar reaches stay as they are bar after bar (the exchange checks a
    /// bar against their bounds before matching); each fills on the first bar that reaches it, and
    /// an immediate-or-cancel order far from the price still ends after its first bar.
    @Test func restingOrdersWaitUntilABarReachesThem() {
        var x = exchange(base: 2)
        let buyLimit = x.submit(.limit(.buy, 1, at: 95))
        let sellLimit = x.submit(.limit(.sell, 1, at: 105))
        let buyStop = x.submit(.stop(.buy, 1, at: 110))
        let ioc = x.submit(.limit(.buy, 1, at: 80, timeInForce: .ioc))
        for i in 1...40 {
            x.process(bar: bar(Int64(i), 100, 104, 96, 100), index: i)
            if i == 1 { #expect(x.order(ioc)?.status == .canceled) }
        }
        #expect(x.drainFills().isEmpty)
        #expect(x.openOrders.map(\.id) == [buyLimit, sellLimit, buyStop])
        x.process(bar: bar(41, 100, 101, 94, 96), index: 41)
        #expect(x.drainFills().map(\.price) == [95])
        for i in 42...60 { x.process(bar: bar(Int64(i), 100, 104, 96, 100), index: i) }
        #expect(x.drainFills().isEmpty)
        x.process(bar: bar(61, 104, 112, 103, 111), index: 61)
        // Within a bar stops come before limits: the buy stop at 110, then the sell limit at 105.
        #expect(x.drainFills().map(\.price) == [110, 105])
        #expect(x.openOrders.isEmpty)
        #expect(x.order(buyLimit)?.status == .filled && x.order(sellLimit)?.status == .filled)
    }

    @Test func stopsTriggerThroughTheRangeAndFillAtStopOrGap() {
        var x = exchange(base: 2)
        let sellStop = x.submit(.stop(.sell, 1, at: 97))
        let buyStop = x.submit(OrderRequest(side: .buy, type: .stop, quantity: 1, stopPrice: 110))
        x.process(bar: bar(1, 99, 100, 96, 98), index: 1)
        #expect(x.order(sellStop)?.averagePrice == 97)
        #expect(x.order(buyStop)?.status == .pending)
        x.process(bar: bar(2, 112, 115, 111, 114), index: 2)  // gaps over 110: fills at the open
        #expect(x.order(buyStop)?.averagePrice == 112)
    }

    @Test func slippageIsAdverseAndOnlyOnTakerFills() {
        var x = exchange(SimulationConfig(slippageTicks: 2, slippageFraction: 0.001))
        x.submit(.market(.buy, 1))
        x.submit(.limit(.buy, 1, at: 99))
        x.process(bar: bar(1, 100, 101, 98, 100), index: 1)
        let prices = x.drainFills().map(\.price)
        #expect(prices == [100.12, 99])
    }

    @Test func volumeCapFillsPartiallyAndKeepsWorking() {
        var x = exchange(SimulationConfig(maxVolumeShare: 0.1))
        let id = x.submit(.limit(.buy, 15, at: 100))
        x.process(bar: bar(1, 100, 101, 99, 100, volume: 100), index: 1)
        #expect(x.order(id)?.status == .partiallyFilled && x.order(id)?.filledQuantity == 10)
        x.process(bar: bar(2, 100, 101, 99, 100, volume: 100), index: 2)
        #expect(x.order(id)?.status == .filled)
        #expect(x.drainFills().map(\.seq) == [0, 1])
    }

    @Test func triggeredStopCappedByVolumeFillsTheRestAtTheNextOpen() {
        // A triggered stop is a market order: what the volume cap leaves fills at the next open
        // (this crashed once, the triggered stop being matched as a limit without a limit price).
        var x = exchange(SimulationConfig(maxVolumeShare: 0.1), base: 15)
        let id = x.submit(.stop(.sell, 15, at: 97))
        x.process(bar: bar(1, 99, 99, 96, 96.5, volume: 100), index: 1)
        #expect(x.order(id)?.status == .partiallyFilled && x.order(id)?.filledQuantity == 10)
        x.process(bar: bar(2, 95, 96, 94, 95, volume: 100), index: 2)
        #expect(x.order(id)?.status == .filled)
        let fills = x.drainFills()
        #expect(fills.map(\.price) == [97, 95] && fills.map(\.quantity) == [10, 5])
        #expect(fills.allSatisfy { $0.liquidity == .taker })
        #expect(x.wallet.base.total == 0 && x.wallet.base.held == 0)
    }

    @Test func immediateOrCancelAndFillOrKill() {
        var x = exchange(SimulationConfig(maxVolumeShare: 0.1))
        let ioc = x.submit(.limit(.buy, 15, at: 100, timeInForce: .ioc))
        x.process(bar: bar(1, 100, 101, 99, 100, volume: 100), index: 1)
        #expect(x.order(ioc)?.status == .canceled && x.order(ioc)?.filledQuantity == 10)
        let fok = x.submit(.limit(.buy, 15, at: 100, timeInForce: .fok))
        x.process(bar: bar(2, 100, 101, 99, 100, volume: 100), index: 2)
        #expect(x.order(fok)?.status == .canceled && x.order(fok)?.filledQuantity == 0)
        #expect(x.order(fok)?.rejectReason == .fillOrKillNotFilled)
        let missed = x.submit(.limit(.buy, 1, at: 50, timeInForce: .ioc))
        x.process(bar: bar(3, 100, 101, 99, 100), index: 3)
        #expect(x.order(missed)?.status == .canceled)
        #expect(x.wallet.quote.held == 0)
    }

    @Test func bracketPlacesTakeProfitAndStopLossOneCancelsTheOther() {
        var x = exchange()
        let entry = x.submit(OrderRequest(side: .buy, type: .market, quantity: 1, takeProfit: 110, stopLoss: 95))
        x.process(bar: bar(1, 100, 101, 99, 100), index: 1)
        #expect(x.order(entry)?.status == .filled)
        #expect(x.openOrders.count == 2)
        let legs = x.openOrders
        #expect(Set(legs.map(\.tag)) == ["take_profit", "stop_loss"])
        #expect(legs.allSatisfy { $0.side == .sell })
        x.process(bar: bar(2, 104, 111, 103, 110), index: 2)
        let tp = legs.first { $0.tag == "take_profit" }!
        let sl = legs.first { $0.tag == "stop_loss" }!
        #expect(x.order(tp.id)?.status == .filled && x.order(tp.id)?.averagePrice == 110)
        #expect(x.order(sl.id)?.status == .canceled)
        #expect(x.openOrders.isEmpty)
        #expect(x.wallet.base.total == 0)
    }

    @Test func cancelingOneBracketLegCancelsTheOther() {
        var x = exchange()
        x.submit(OrderRequest(side: .buy, type: .market, quantity: 1, takeProfit: 110, stopLoss: 95))
        x.process(bar: bar(1, 100, 101, 99, 100), index: 1)
        let legs = x.openOrders
        #expect(legs.count == 2)
        let canceled = x.cancel(legs[0].id)
        #expect(canceled)
        #expect(x.openOrders.isEmpty)
        #expect(x.order(legs[1].id)?.status == .canceled)
        #expect(x.wallet.base.free == 1 && x.wallet.base.held == 0)
        x.process(bar: bar(2, 100, 120, 80, 100), index: 2)  // would have hit both legs
        let fills = x.drainFills()
        #expect(fills.count == 1)
    }

    @Test func whenOneBarTouchesBothLegsTheStopLossWins() {
        var x = exchange()
        x.submit(OrderRequest(side: .buy, type: .market, quantity: 1, takeProfit: 110, stopLoss: 95))
        x.process(bar: bar(1, 100, 101, 99, 100), index: 1)
        x.process(bar: bar(2, 100, 111, 94, 100), index: 2)
        let fills = x.drainFills()
        #expect(fills.last?.tag == "stop_loss" && fills.last?.price == 95)
    }

    @Test func shortBracketComparesTheOtherWayRound() {
        var x = exchange(SimulationConfig(allowShort: true))
        let bad = x.submit(OrderRequest(side: .sell, type: .market, quantity: 1, takeProfit: 110, stopLoss: 95))
        #expect(x.order(bad)?.status == .rejected)
        let good = x.submit(OrderRequest(side: .sell, type: .market, quantity: 1, takeProfit: 90, stopLoss: 105))
        #expect(x.order(good)?.status == .pending)
    }

    func submitted(_ x: inout SimulatedExchange, _ r: OrderRequest) -> Order? {
        let id = x.submit(r)
        return x.order(id)
    }

    @Test func rejectsWithReasons() {
        var x = exchange()
        #expect(submitted(&x, .market(.buy, 0.0004))?.rejectReason == .quantityNotPositive)
        #expect(submitted(&x, .market(.buy, 0.01))?.rejectReason == .belowMinNotional(notional: 1, minimum: 5))
        #expect(submitted(&x, .market(.buy, 1000))?.rejectReason?.description.contains("insufficient USDT") == true)
        #expect(submitted(&x, .market(.sell, 1))?.rejectReason?.description.contains("insufficient BTC") == true)
        #expect(submitted(&x, OrderRequest(side: .buy, type: .limit, quantity: 1))?.rejectReason == .missingLimitPrice)
        var postOnly = OrderRequest.limit(.buy, 1, at: 100.5)
        postOnly.postOnly = true
        #expect(submitted(&x, postOnly)?.rejectReason == .wouldCrossAsMaker)
        #expect(x.openOrders.isEmpty && x.wallet.quote.held == 0)
    }

    @Test func roundsToTickAndStep() {
        var x = exchange()
        let id = x.submit(.limit(.buy, 1.23456, at: 99.987))
        #expect(x.order(id)?.quantity == 1.234)
        #expect(x.order(id)?.limitPrice == 99.99)
    }

    @Test func cancelAndModifyReleaseAndReserveFunds() {
        var x = exchange()
        let id = x.submit(.limit(.buy, 10, at: 90))
        #expect(x.wallet.quote.held == 900)
        let grown = x.modify(id, quantity: 20, limitPrice: 80, stopPrice: nil)
        #expect(grown && x.wallet.quote.held == 1600)
        let tooBig = x.modify(id, quantity: 200, limitPrice: nil, stopPrice: nil)  // cannot afford: unchanged
        #expect(!tooBig && x.order(id)?.quantity == 20 && x.wallet.quote.held == 1600)
        let first = x.cancel(id)
        let second = x.cancel(id)
        #expect(first && !second)
        #expect(x.wallet.quote.held == 0 && x.wallet.quote.free == 10_000)
    }

    @Test func feesChargedPerModel() {
        var x = exchange(fees: MakerTakerFees(maker: 0.0002, taker: 0.001))
        x.submit(.market(.buy, 1))
        x.submit(.limit(.buy, 1, at: 99))
        x.process(bar: bar(1, 100, 101, 98, 100), index: 1)
        let fills = x.drainFills()
        #expect(fills[0].feeQuote == 0.1 && fills[1].feeQuote == 99 * 0.0002)
        #expect(x.wallet.quote.free == 10_000 - 100 - 0.1 - 99 - 99 * 0.0002)

        var base = exchange(fees: GenericFees(rate: 0.01, chargedOn: .received))
        base.submit(.market(.buy, 1))
        base.process(bar: bar(1, 100, 101, 98, 100), index: 1)
        #expect(base.wallet.base.free == 0.99)
    }

    @Test func tieredFeesFollowTrailingVolume() throws {
        let tiers = try TieredFees(
            parameters: TieredFees.descriptor.validate(["tiers": .string("0:0.001:0.002;150:0:0.001")]))
        var x = exchange(SimulationConfig(marketFill: .close), fees: tiers)
        x.submit(.market(.buy, 1))  // trailing volume 0 → taker 0.002
        x.submit(.market(.buy, 1))  // trailing 100 → still tier 0
        x.submit(.market(.buy, 1))  // trailing 200 → tier 1: 0.001
        #expect(x.drainFills().map(\.feeQuote) == [0.2, 0.2, 0.1])
    }

    @Test func buyingWithAllCashShrinksToWhatFeesLeaveAffordable() {
        var x = exchange(fees: GenericFees(rate: 0.001))
        let id = x.submit(.market(.buy, 100))  // 100 × 100 = all the cash, before fees
        x.process(bar: bar(1, 100, 101, 99, 100), index: 1)
        let o = x.order(id)
        #expect(o?.status == .filled)
        #expect(o!.quantity < 100 && o!.quantity > 99.8)
        #expect(x.wallet.quote.free >= 0 && x.wallet.quote.free < 1)
        #expect(x.state.rejectedOrders == 0)
    }

    @Test func checkpointsThatHeldTheWholeBarStillLoad() throws {
        var x = exchange()
        x.submit(.limit(.buy, 1, at: 95))
        x.process(bar: bar(1, 100, 101, 99, 100.5), index: 1)
        let data = try CheckpointCoding.encoder().encode(x.state)
        // The format before: the whole bar under "bar" instead of barTime and barClose.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["bar"] = [
            "time": object.removeValue(forKey: "barTime")!, "open": 100, "high": 101, "low": 99,
            "close": object.removeValue(forKey: "barClose")!, "volume": 1000, "buyVolume": 0, "sellVolume": 0,
        ]
        let legacy = try JSONSerialization.data(withJSONObject: object)
        let restored = try CheckpointCoding.decoder().decode(ExchangeState.self, from: legacy)
        #expect(restored == x.state)
        #expect(restored.barTime == 60_000 && restored.barClose == 100.5)
    }

    /// The history of finished orders keeps the newest ``ExchangeState/recentLimit``, oldest
    /// first, wherever its ring stands; a checkpoint with more (the format before) keeps the newest.
    @Test func theHistoryKeepsTheNewestFinishedOrdersOldestFirst() throws {
        var x = exchange(SimulationConfig(marketFill: .close), cash: 1e9)
        let limit = ExchangeState.recentLimit
        let ids = (0..<(limit + 10)).map { k in x.submit(.market(k % 2 == 0 ? .buy : .sell, 1)) }
        #expect(x.state.recent.map(\.id) == Array(ids.suffix(limit)))
        #expect(x.order(ids[9]) == nil && x.order(ids[10])?.status == .filled && x.order(ids.last!) != nil)
        let data = try CheckpointCoding.encoder().encode(x.state)
        let restored = try CheckpointCoding.decoder().decode(ExchangeState.self, from: data)
        #expect(restored == x.state && restored.recent.map(\.id) == Array(ids.suffix(limit)))
        #expect(try CheckpointCoding.encoder().encode(restored) == data)
        // Twice the limit, as checkpoints before the ring could hold: the newest are kept.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let recent = try #require(object["recent"] as? [Any])
        object["recent"] = recent + recent
        let legacy = try CheckpointCoding.decoder().decode(
            ExchangeState.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(legacy.recent.count == limit)
    }
}
