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
}
