import ATSFakeVenue
import ATSVenues
import Testing

/// The fake venue's engine answers as the documentation says the real one does, and keeps its
/// books exactly: what the connector's tests trust it for.
@Suite struct FakeExchangeTests {
    static func d(_ s: String) -> VenueDecimal { VenueDecimal(s)! }

    static let configuration = FakeVenueConfiguration(
        accounts: [.init(name: "alice", apiKey: "k", hmacSecret: "s", balances: ["USDT": d("10000"), "BTC": d("1")])])

    var ex = FakeExchange(configuration: configuration)

    func params(_ side: String, _ type: String, qty: String, price: String? = nil, id: String, tif: String? = "GTC")
        -> [String: String]
    {
        var p = ["symbol": "BTCUSDT", "side": side, "type": type, "quantity": qty, "newClientOrderId": id]
        if let price { p["price"] = price }
        if type == "LIMIT", let tif { p["timeInForce"] = tif }
        return p
    }

    @Test mutating func aMarketBuyFillsAtTheLastPriceAndPaysCommissionInTheBaseAsset() throws {
        let placed = try ex.place(params("BUY", "MARKET", qty: "0.1", id: "a1"), account: "alice", nowMs: 1).get()
        #expect(placed.order.status == .filled)
        #expect(placed.fills.count == 1)
        #expect(placed.fills[0].price == Self.d("50000"))
        #expect(placed.fills[0].commission == Self.d("0.0001"))
        #expect(placed.fills[0].commissionAsset == "BTC")
        let b = ex.balances["alice"]!
        #expect(b["USDT"]!.free == Self.d("5000"))
        #expect(b["BTC"]!.free == Self.d("1.0999"))
        let kinds = ex.drainEvents().compactMap { e -> String? in
            if case .execution(_, let u) = e { return u.kind.rawValue }
            return nil
        }
        #expect(kinds == ["NEW", "TRADE"])
    }

    @Test mutating func aRestingLimitLocksItsQuoteAndFillsAsMakerWhenTheMarketReachesIt() throws {
        let placed = try ex.place(
            params("BUY", "LIMIT", qty: "0.1", price: "49000", id: "b1"), account: "alice", nowMs: 1
        )
        .get()
        #expect(placed.order.status == .new)
        #expect(ex.balances["alice"]!["USDT"]! == .init(free: Self.d("5100"), locked: Self.d("4900")))
        ex.tick(symbol: "BTCUSDT", price: Self.d("49500"), nowMs: 2)
        #expect(ex.openOrders(account: "alice", symbol: "BTCUSDT").count == 1)
        // A partial fill first: the market trade carries only 0.04.
        ex.tick(symbol: "BTCUSDT", price: Self.d("48990"), qty: Self.d("0.04"), nowMs: 3)
        #expect(ex.orders[0].status == .partiallyFilled)
        ex.tick(symbol: "BTCUSDT", price: Self.d("48990"), nowMs: 4)
        #expect(ex.orders[0].status == .filled)
        let trades = ex.accountTrades(account: "alice", symbol: "BTCUSDT", fromId: nil, orderId: nil, limit: 10)
        #expect(trades.map(\.qty) == [Self.d("0.04"), Self.d("0.06")])
        #expect(trades.allSatisfy { $0.isMaker && $0.price == Self.d("49000") })
        #expect(ex.balances["alice"]!["USDT"]! == .init(free: Self.d("5100"), locked: .zero))
        #expect(ex.balances["alice"]!["BTC"]!.free == Self.d("1.0999"))
    }

    @Test mutating func refusalsCarryTheDocumentedCodes() {
        func code(_ p: [String: String]) -> Int? {
            if case .failure(let e) = ex.place(p, account: "alice", nowMs: 1) { return e.code }
            return nil
        }
        #expect(code(params("BUY", "LIMIT", qty: "0.1", price: "49000.005", id: "c1")) == -1013)  // off the tick
        #expect(code(params("BUY", "LIMIT", qty: "0.100000001", price: "49000", id: "c1")) == -1111)
        #expect(code(params("BUY", "LIMIT", qty: "0.1", price: "49000.1", id: "c1")) == nil)
        #expect(code(params("BUY", "LIMIT", qty: "0.1", price: "49000.15", id: "c2")) == nil)
        var offTick = params("BUY", "LIMIT", qty: "0.1", price: "49000.1", id: "c3")
        offTick["price"] = "49000.125"
        #expect(code(offTick) == -1013)
        #expect(code(params("BUY", "LIMIT", qty: "0.000015", price: "49000", id: "c4")) == -1013)
        #expect(code(params("BUY", "LIMIT", qty: "0.00001", price: "49000", id: "c5")) == -1013)  // notional 0.49
        #expect(code(params("BUY", "LIMIT", qty: "0.1", price: "49000", id: "c1")) == -2010)  // c1 is open
        #expect(code(params("BUY", "LIMIT_MAKER", qty: "0.1", price: "51000", id: "c6")) == -2010)
        #expect(code(params("BUY", "MARKET", qty: "1", id: "c7")) == -2010)  // 50,000 USDT > what is free
        #expect(code(params("BUY", "LIMIT", qty: "0.1", price: "49000", id: "c8", tif: nil)) == -1102)
        #expect(code(["symbol": "ETHUSDT", "side": "BUY", "type": "MARKET", "quantity": "1"]) == -1121)
    }

    @Test mutating func aClientIdIsAcceptedAgainOnceItsOrderIsDone() throws {
        _ = try ex.place(params("SELL", "MARKET", qty: "0.1", id: "same"), account: "alice", nowMs: 1).get()
        // Not an idempotency key: a filled order's id places a second order (rest-api.md).
        _ = try ex.place(params("SELL", "MARKET", qty: "0.1", id: "same"), account: "alice", nowMs: 2).get()
        #expect(ex.placements["same"] == 2)
    }

    @Test mutating func cancelReleasesWhatTheOrderHeldAndAResetRestoresTheStart() throws {
        let o = try ex.place(params("SELL", "LIMIT", qty: "0.5", price: "52000", id: "d1"), account: "alice", nowMs: 1)
            .get().order
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("0.5"), locked: Self.d("0.5")))
        let canceled = try ex.cancel(
            account: "alice", symbol: "BTCUSDT", orderId: o.orderId, clientOrderId: nil, cancelId: "x", nowMs: 2
        ).get()
        #expect(canceled.status == .canceled)
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("1"), locked: .zero))
        guard case .failure(let e) = ex.order(account: "alice", symbol: "BTCUSDT", orderId: nil, clientOrderId: "nope")
        else { Issue.record("an unknown id was found"); return }
        #expect(e.code == -2013)
        _ = try ex.place(params("BUY", "MARKET", qty: "0.1", id: "d2"), account: "alice", nowMs: 3).get()
        ex.resetAccounts()
        #expect(ex.balances["alice"]!["USDT"]!.free == Self.d("10000"))
    }

    /// A STOP_LOSS alone: refused if the market is already through it; else it holds a sell's
    /// base off the book and executes as a market order (a taker) on a trade through its price.
    @Test mutating func aStopLossWaitsOffTheBookAndExecutesOnATradeThroughIt() throws {
        var p = params("SELL", "STOP_LOSS", qty: "0.2", id: "st1")
        p["stopPrice"] = "50500"
        #expect(ex.place(p, account: "alice", nowMs: 1).failure?.msg == "Order would trigger immediately.")
        p["stopPrice"] = "49000"
        let placed = try ex.place(p, account: "alice", nowMs: 1).get()
        #expect(placed.order.status == .new && placed.fills.isEmpty && !placed.order.isWorking)
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("0.8"), locked: Self.d("0.2")))
        ex.tick(symbol: "BTCUSDT", price: Self.d("49500"), nowMs: 2)
        #expect(ex.orders[0].status == .new)
        ex.tick(symbol: "BTCUSDT", price: Self.d("48800"), nowMs: 3)
        #expect(ex.orders[0].status == .filled)
        let trade = try #require(ex.trades.last)
        #expect(trade.price == Self.d("48800") && trade.qty == Self.d("0.2") && !trade.isMaker)
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("0.8"), locked: .zero))
    }

    func oco(_ side: String, qty: String, limit: String, stop: String, id: String) -> [String: String] {
        let (above, below) = side == "SELL" ? ("LIMIT_MAKER", "STOP_LOSS") : ("STOP_LOSS", "LIMIT_MAKER")
        var p = [
            "symbol": "BTCUSDT", "side": side, "quantity": qty, "listClientOrderId": "list-" + id,
            "aboveType": above, "belowType": below, "aboveClientOrderId": id + "-a", "belowClientOrderId": id + "-b",
        ]
        if side == "SELL" {
            p["abovePrice"] = limit
            p["belowStopPrice"] = stop
        } else {
            p["aboveStopPrice"] = stop
            p["belowPrice"] = limit
        }
        return p
    }

    /// An OCO (rest-api.md "New Order list - OCO"): the prices must straddle the market; the
    /// limit leg holds the base once; reached, it executes as a maker and the stop leg expires.
    @Test mutating func anOCOsLimitLegExecutesAndItsStopLegExpires() throws {
        let wrong = ex.placeOCO(
            oco("SELL", qty: "0.5", limit: "49000", stop: "48000", id: "x"), account: "alice", nowMs: 1)
        #expect(wrong.failure?.code == -2010)
        #expect(wrong.failure?.msg == "The relationship of the prices for the orders is not correct.")
        let placed = try ex.placeOCO(
            oco("SELL", qty: "0.5", limit: "51000", stop: "49000", id: "o1"), account: "alice", nowMs: 1
        ).get()
        #expect(placed.orders.map(\.type) == [.limitMaker, .stopLoss])
        #expect(placed.orders.allSatisfy { $0.orderListId == placed.list.orderListId && $0.status == .new })
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("0.5"), locked: Self.d("0.5")))
        #expect(ex.placements["o1-a"] == 1 && ex.placements["o1-b"] == 1)
        // A duplicate list id or leg id while the list works is refused.
        #expect(
            ex.placeOCO(oco("SELL", qty: "0.1", limit: "51000", stop: "49000", id: "o1"), account: "alice", nowMs: 2)
                .failure?.code == -2010)
        _ = ex.drainEvents()

        ex.tick(symbol: "BTCUSDT", price: Self.d("50500"), nowMs: 3)
        #expect(ex.openOrders(account: "alice", symbol: "BTCUSDT").count == 2, "neither leg reached")
        ex.tick(symbol: "BTCUSDT", price: Self.d("51000"), nowMs: 4)
        let (list, legs) = try #require(ex.orderList(account: "alice", orderListId: nil, listClientOrderId: "list-o1"))
        #expect(list.status == .allDone)
        #expect(legs.map(\.status) == [.filled, .expired])
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("0.5"), locked: .zero))
        #expect(ex.balances["alice"]!["USDT"]!.free == Self.d("10000") + Self.d("25500") - Self.d("25.5"))
        let events = ex.drainEvents().compactMap { e -> String? in
            switch e {
            case .execution(_, let u): "\(u.order.clientOrderId) \(u.kind.rawValue)"
            case .listStatus(_, let l, _, _): "list \(l.status.rawValue)"
            default: nil
            }
        }
        #expect(events == ["o1-a TRADE", "o1-b EXPIRED", "list ALL_DONE"])
    }

    /// A trade through an OCO's stop: the limit leg expires first, then the stop executes at
    /// that trade's price as a market order (a taker). Cancelling one leg of a list cancels both.
    @Test mutating func anOCOsStopTriggersOnATradeThroughItAndACancelEndsTheList() throws {
        _ = try ex.placeOCO(
            oco("SELL", qty: "0.4", limit: "52000", stop: "49000", id: "s1"), account: "alice", nowMs: 1
        )
        .get()
        _ = ex.drainEvents()
        ex.tick(symbol: "BTCUSDT", price: Self.d("48500"), nowMs: 2)
        let legs = ex.orders.filter { $0.clientOrderId.hasPrefix("s1-") }
        #expect(legs.map(\.status) == [.expired, .filled])
        let trade = try #require(ex.trades.last)
        #expect(trade.price == Self.d("48500") && trade.qty == Self.d("0.4") && !trade.isMaker)
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("0.6"), locked: .zero))
        let kinds = ex.drainEvents().compactMap { e -> String? in
            if case .execution(_, let u) = e { return "\(u.order.clientOrderId) \(u.kind.rawValue)" }
            return nil
        }
        #expect(kinds == ["s1-a EXPIRED", "s1-b TRADE"])

        _ = try ex.placeOCO(
            oco("SELL", qty: "0.3", limit: "50000", stop: "47000", id: "c1"), account: "alice", nowMs: 3
        )
        .get()
        _ = try ex.cancel(
            account: "alice", symbol: "BTCUSDT", orderId: nil, clientOrderId: "c1-b", cancelId: "stop-it", nowMs: 4
        ).get()
        #expect(ex.orders.filter { $0.clientOrderId.hasPrefix("c1-") }.map(\.status) == [.canceled, .canceled])
        #expect(ex.balances["alice"]!["BTC"]! == .init(free: Self.d("0.6"), locked: .zero))
        #expect(ex.orderList(account: "alice", orderListId: nil, listClientOrderId: "list-c1")?.0.status == .allDone)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
