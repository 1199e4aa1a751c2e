import ATSCoordinator
import ATSShared
import Testing

/// The comparison behind `ats job divergence`: orders paired by id, fills one by one, slippage,
/// latency and P&L from known fills.
struct DivergenceTests {
    func fill(
        _ order: Int64, _ side: String, bar: Int64, time: Int64, price: Double, quantity: Double, fee: Double = 0
    ) -> Divergence.Fill {
        Divergence.Fill(
            orderId: order, side: side, barIndex: bar, timeMs: time, price: price, quantity: quantity, feeBase: 0,
            feeQuote: fee)
    }

    @Test func aRunEqualToItsReplayIsIdentical() {
        let fills = [
            fill(1, "buy", bar: 3, time: 180_000, price: 100, quantity: 1, fee: 0.1),
            fill(2, "sell", bar: 7, time: 420_000, price: 104, quantity: 1, fee: 0.104),
        ]
        let (s, orders) = Divergence(job: fills, replay: fills, cash: 1_000, base: 0, lastClose: 104).compare()
        #expect(s.identical && s.matchedOrders == 2 && s.jobOnlyOrders == 0 && s.replayOnlyOrders == 0)
        #expect(s.jobPnl == s.replayPnl && abs(s.jobPnl - (4 - 0.204)) < 1e-9)
        #expect(s.slippageCost == 0 && s.meanSlippageBps == 0 && s.worstSlippageBps == 0)
        #expect(orders.map(\.orderId) == [1, 2] && orders.allSatisfy { $0.fills.allSatisfy(\.equal) })
        #expect(s.medianDecisionLatencyMs == nil, "a paper job has no decisions at a venue")
    }

    @Test func aLiveRunsPricesPartialFillsAndLatencyAreMeasuredAgainstTheReplay() {
        let job = [
            fill(1, "buy", bar: 2, time: 120_400, price: 101, quantity: 0.5),
            fill(1, "buy", bar: 2, time: 120_450, price: 102, quantity: 0.5),
            fill(2, "sell", bar: 5, time: 301_000, price: 109, quantity: 1),
        ]
        let replay = [
            fill(1, "buy", bar: 3, time: 180_000, price: 100, quantity: 1),
            fill(2, "sell", bar: 6, time: 360_000, price: 110, quantity: 1),
        ]
        var d = Divergence(job: job, replay: replay, cash: 1_000, base: 0, lastClose: 110)
        d.trades = [
            .init(clientOrderId: "ats-1-1-0", side: "BUY", timeMs: 120_400, price: 101, quantity: 0.5),
            .init(clientOrderId: "ats-1-1-0", side: "BUY", timeMs: 120_450, price: 102, quantity: 0.5),
            // Another order's execution at the same time and price is not mistaken for the job's.
            .init(clientOrderId: "other", side: "SELL", timeMs: 301_000, price: 109, quantity: 0.3),
            .init(clientOrderId: "ats-1-1-1", side: "SELL", timeMs: 301_000, price: 109, quantity: 1),
        ]
        d.decidedAtMs = ["ats-1-1-0": 120_250, "ats-1-1-1": 300_900]
        d.originMs = 0
        d.lengthMs = 60_000
        let (s, orders) = d.compare()
        #expect(!s.identical && s.matchedOrders == 2 && s.jobFills == 3 && s.replayFills == 2)
        let buy = orders[0]
        #expect(buy.clientOrderId == "ats-1-1-0" && buy.job?.price == 101.5 && buy.job?.fills == 2)
        #expect(buy.fills.count == 2 && buy.fills[1].replay == nil && !buy.fills[0].equal)
        #expect(abs((buy.slippageBps ?? 0) - 150) < 1e-9)
        #expect(buy.decisionLatencyMs == 250 && buy.venueLatencyMs == 150)
        let sell = orders[1]
        #expect(sell.clientOrderId == "ats-1-1-1" && abs((sell.slippageBps ?? 0) - 10_000.0 / 110) < 1e-9)
        #expect(sell.decisionLatencyMs == 900 && sell.venueLatencyMs == 100)
        // Paid 1.5 more on the buy and got 1 less on the sell: the P&L gap is the slippage.
        #expect(abs(s.slippageCost - 2.5) < 1e-9)
        #expect(abs(s.jobPnl - 7.5) < 1e-9 && abs(s.replayPnl - 10) < 1e-9)
        #expect(abs((s.jobPnl - s.replayPnl) + s.slippageCost) < 1e-9)
        #expect(abs((s.worstSlippageBps ?? 0) - 150) < 1e-9)
        let mean = (150 * 100 + 10_000.0 / 110 * 110) / 210
        #expect(abs((s.meanSlippageBps ?? 0) - mean) < 1e-9)
        #expect(s.medianDecisionLatencyMs == 250 && s.worstDecisionLatencyMs == 900)
        #expect(s.medianVenueLatencyMs == 100 && s.worstVenueLatencyMs == 150)
    }

    /// A decision made more than a candle after the candle it followed (a slow venue, candles
    /// held while reconciling) is measured from that candle's close, not the last boundary.
    @Test func decisionLatencyRunsFromTheCloseOfTheCandleDecidedOn() {
        let job = [fill(0, "buy", bar: 4, time: 250_500, price: 100, quantity: 1)]
        var d = Divergence(job: job, replay: job, cash: 1_000, base: 0, lastClose: 100)
        d.trades = [.init(clientOrderId: "ats-1-1-0", side: "BUY", timeMs: 250_500, price: 100, quantity: 1)]
        d.decidedAtMs = ["ats-1-1-0": 250_000]
        d.lengthMs = 60_000
        #expect(d.compare().orders[0].decisionLatencyMs == 10_000, "without the candle: from the last boundary")
        d.candleOpenMs = ["ats-1-1-0": 120_000]
        #expect(d.compare().orders[0].decisionLatencyMs == 70_000)
    }

    @Test func ordersOnOneSideOnlyAreCountedAndShown() {
        let job = [fill(1, "buy", bar: 2, time: 120_000, price: 100, quantity: 1)]
        let replay = [
            fill(1, "buy", bar: 2, time: 120_000, price: 100, quantity: 1),
            fill(2, "sell", bar: 4, time: 240_000, price: 99, quantity: 1),
        ]
        let (s, orders) = Divergence(job: job, replay: replay, cash: 1_000, base: 0, lastClose: 98).compare()
        #expect(!s.identical && s.matchedOrders == 1 && s.replayOnlyOrders == 1 && s.jobOnlyOrders == 0)
        #expect(orders[1].job == nil && orders[1].replay?.price == 99 && orders[1].slippageBps == nil)
        // The job still holds its base, valued at the last close; the replay sold it at 99.
        #expect(s.jobPnl == -2 && s.replayPnl == -1)
        let (t, _) = Divergence(job: replay, replay: job, cash: 1_000, base: 0, lastClose: 98).compare()
        #expect(t.jobOnlyOrders == 1 && t.replayOnlyOrders == 0)
    }
}
