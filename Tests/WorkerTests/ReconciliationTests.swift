import ATSEngine
import ATSShared
import ATSVenues
import Foundation
import Testing

@testable import ATSWorker

/// The rules a live run reconciles by (docs/LIVE.md, "Reconciliation"), case by case.
@Suite struct ReconciliationTests {
    static func order(_ clientId: String, id: Int64 = 7, status: String = "NEW", side: String = "BUY") throws
        -> BinanceOrders.Order
    {
        try JSONDecoder().decode(
            BinanceOrders.Order.self,
            from: Data(
                """
                {"symbol":"BTCUSDT","orderId":\(id),"clientOrderId":"\(clientId)","status":"\(status)",
                 "executedQty":"0.00000000","origQty":"0.50000000","cummulativeQuoteQty":"0.00000000",
                 "side":"\(side)","type":"LIMIT","price":"50000.00"}
                """.utf8))
    }

    @Test func theStoreSaysWhichInFlightOrdersWereNeverAllowedOut() {
        let prior = [
            "a": PriorIntent(clientOrderId: "a", state: "written"),
            "b": PriorIntent(clientOrderId: "b", state: "rejected", code: -2010, message: "insufficient balance"),
            "c": PriorIntent(clientOrderId: "c", state: "not_placed"),
            "d": PriorIntent(clientOrderId: "d", state: "unknown"),
            "e": PriorIntent(clientOrderId: "e", state: "accepted", venueOrderId: 5),
        ]
        // No intent stored: no verdict allowed it out, so nothing was sent.
        guard case .notPlaced = Reconciliation.start("x", prior: prior) else {
            Issue.record("an order with no stored intent must be concluded not placed")
            return
        }
        #expect(Reconciliation.start("b", prior: prior) == .rejected(code: -2010, message: "insufficient balance"))
        guard case .notPlaced = Reconciliation.start("c", prior: prior) else {
            Issue.record("an intent its run resolved not placed stays so")
            return
        }
        // Written, unknown or accepted: the venue says where the order stands.
        for id in ["a", "d", "e"] { #expect(Reconciliation.start(id, prior: prior) == .query) }
    }

    @Test func notFoundMeansNotPlacedOnlyAfterTheBound() throws {
        let bound = Reconciliation.notPlacedAfterMs(recvWindowMs: 5_000)
        // The window, the engine's timeout and 1 s of timestamp lead, and a margin.
        #expect(bound == 5_000 + 11_000 + 2_000)
        #expect(
            Reconciliation.answered(.notFound, order: nil, elapsedMs: 200, notPlacedAfterMs: bound)
                == .askAgain(atElapsedMs: bound))
        #expect(
            Reconciliation.answered(.notFound, order: nil, elapsedMs: bound - 1, notPlacedAfterMs: bound)
                == .askAgain(atElapsedMs: bound))
        #expect(Reconciliation.answered(.notFound, order: nil, elapsedMs: bound, notPlacedAfterMs: bound) == .notPlaced)
        // No answer: ask again soon, never conclude.
        #expect(
            Reconciliation.answered(.failed, order: nil, elapsedMs: 60_000, notPlacedAfterMs: bound)
                == .askAgain(atElapsedMs: 61_000))
        let o = try Self.order("ats-1-1-0")
        #expect(
            Reconciliation.answered(.found(venueOrderId: 7), order: o, elapsedMs: 1, notPlacedAfterMs: bound)
                == .placed(o))
    }

    @Test func onlyTheJobsUnknownOpenOrdersAreAdopted() throws {
        let mine = ClientOrderId(job: 42, epoch: 3, sequence: 9).description
        let known = ClientOrderId(job: 42, epoch: 3, sequence: 8).description
        let otherJob = ClientOrderId(job: 420, epoch: 1, sequence: 1).description
        let open = try [
            Self.order(mine, id: 1), Self.order(known, id: 2), Self.order(otherJob, id: 3),
            Self.order("web_abc", id: 4),
        ]
        let adopted = Reconciliation.toAdopt(open: open, job: 42, known: [known])
        // Job 420's prefix ("ats-bo-") is not job 42's ("ats-16-"), nor is a hand-placed order's.
        #expect(adopted.map(\.clientOrderId) == [mine])
        #expect(Reconciliation.closedSince(working: [known, "gone"], open: open) == ["gone"])
    }

    @Test func aBalanceTheFactsCannotExplainIsNamed() {
        let instrument = Instrument(
            base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.00001, minQuantity: 0.00001, minNotional: 5)
        let wallet = Wallet(base: Balance(free: 0.5), quote: Balance(free: 1_000))
        func balances(_ btc: String, _ locked: String, _ usdt: String) -> [BinanceAccount.Balance] {
            [
                .init(asset: "BTC", free: VenueDecimal(btc)!, locked: VenueDecimal(locked)!),
                .init(asset: "USDT", free: VenueDecimal(usdt)!, locked: .zero),
            ]
        }
        // Free and locked together hold the job's 0.5 BTC (an open sell locks part of it).
        #expect(
            Reconciliation.unexplained(wallet: wallet, instrument: instrument, balances: balances("0.3", "0.2", "1000"))
                == nil)
        // Within a step of the base (the wallet is doubles, the venue decimals).
        #expect(
            Reconciliation.unexplained(
                wallet: wallet, instrument: instrument, balances: balances("0.499995", "0", "1000.00")) == nil)
        let short = Reconciliation.unexplained(
            wallet: wallet, instrument: instrument, balances: balances("0.1", "0", "5000"))
        #expect(short?.contains("0.5 BTC") == true && short?.contains("0.1") == true)
        let noQuote = Reconciliation.unexplained(
            wallet: wallet, instrument: instrument, balances: balances("1", "0", "999"))
        #expect(noQuote?.contains("USDT") == true)
        #expect(Reconciliation.unexplained(wallet: wallet, instrument: instrument, balances: []) != nil)
    }

    @Test func aFillsCandleIsTheOneItsTradeHappenedIn() {
        // The last candle traded is #9, opened at 100_000, candles of 1 s.
        func bar(_ t: Int64) -> Int {
            Reconciliation.barIndex(tradeTimeMs: t, lastOpenTime: 100_000, lastIndex: 9, lengthMs: 1_000)
        }
        #expect(bar(100_000) == 9)
        #expect(bar(100_999) == 9)
        #expect(bar(101_000) == 10)
        #expect(bar(103_500) == 12)
        // Booked late, by a run that has traded further: the same candle.
        #expect(
            Reconciliation.barIndex(tradeTimeMs: 101_500, lastOpenTime: 104_000, lastIndex: 13, lengthMs: 1_000) == 10)
        #expect(bar(99_999) == 8)
        #expect(Reconciliation.barIndex(tradeTimeMs: 5, lastOpenTime: nil, lastIndex: -1, lengthMs: 1_000) == 0)
    }

    @Test func aCandleIsTradedOnlyWhileFresh() {
        // 1 s candles: fresh until one interval and 5 s after the close.
        #expect(!Reconciliation.isStale(openTime: 0, lengthMs: 1_000, venueNowMs: 7_000))
        #expect(Reconciliation.isStale(openTime: 0, lengthMs: 1_000, venueNowMs: 7_001))
        // Hourly candles: a minute and 5 s after the close at most.
        #expect(!Reconciliation.isStale(openTime: 0, lengthMs: 3_600_000, venueNowMs: 3_665_000))
        #expect(Reconciliation.isStale(openTime: 0, lengthMs: 3_600_000, venueNowMs: 3_665_001))
    }

    @Test func aVersionOneCheckpointAsksForEveryWorkingOrder() throws {
        let v1 = Data(
            #"{"version":1,"lastOpenTime":5,"nextSequence":3,"working":{"ats-1-1-2":4,"ats-1-1-1":2},"engine":""}"#
                .utf8)
        let c = try LiveCheckpoint.decode(Array(v1))
        #expect(c.inFlight == ["ats-1-1-1", "ats-1-1-2"])
        #expect(c.tradesThrough == nil && c.venueOrders.isEmpty)
        let v2 = LiveCheckpoint(
            lastOpenTime: 9, nextSequence: 4, working: ["a": 1], inFlight: ["a"], venueOrders: [77: "b"],
            tradesThrough: 1_234, engine: Data([1, 2]))
        let back = try LiveCheckpoint.decode(Array(try v2.encoded()))
        #expect(back.inFlight == ["a"] && back.venueOrders == [77: "b"] && back.tradesThrough == 1_234)
        #expect(back.version == LiveCheckpoint.currentVersion)
    }
}
