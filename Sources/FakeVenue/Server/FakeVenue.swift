import ATSVenues
import Foundation
import NIOConcurrencyHelpers

/// The fake venue's state behind its HTTP and WebSocket endpoints: the exchange, the rate
/// counters, the faults waiting for the next order, the clock skew. Every answer it gives is one
/// the documentation describes; the endpoints only move bytes.
public final class FakeVenue: Sendable {
    public let configuration: FakeVenueConfiguration
    let verifier: RequestVerifier
    let hub = StreamHub()

    struct State: Sendable {
        var exchange: FakeExchange
        var rate: VenueRateCounter
        var orderFaults: [FakeFault] = []
        /// Which order each order fault hit, by client order id (for tests to name it exactly).
        var faulted: [String: FakeFault.Kind] = [:]
        var skewMs: Int64 = 0
        var latencyMs = 0
        /// The price path held still (`POST /_fake/walk`): the public market trades only when a
        /// test moves the price.
        var walkHeld = false
    }

    private let state: NIOLockedValueBox<State>

    public init(configuration: FakeVenueConfiguration) {
        self.configuration = configuration
        verifier = RequestVerifier(accounts: configuration.accounts)
        state = NIOLockedValueBox(
            State(
                exchange: FakeExchange(configuration: configuration),
                rate: VenueRateCounter(configuration: configuration)))
    }

    /// The venue's clock: the machine's, plus any injected skew.
    public func nowMs() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000) + state.withLockedValue { $0.skewMs }
    }

    var latencyMs: Int { state.withLockedValue { $0.latencyMs } }

    func admit(weight: Int, isOrder: Bool) -> (VenueRateCounter.Verdict, [(String, String)]) {
        let now = nowMs()
        return state.withLockedValue { s in
            let verdict = s.rate.admit(weight: weight, isOrder: isOrder, nowMs: now)
            return (verdict, s.rate.headers(includeOrders: isOrder))
        }
    }

    /// Runs `body` on the exchange and queues its events for the streams before another request
    /// can touch it, so every connection sees events in the order the venue made them.
    func withExchange<T>(_ body: (inout FakeExchange) -> T) -> T {
        state.withLockedValue { s in
            let r = body(&s.exchange)
            publish(s.exchange.drainEvents())
            return r
        }
    }

    /// The exchange's events, rendered for the streams that carry them.
    private func publish(_ events: [FakeExchange.Event]) {
        for event in events {
            switch event {
            case .execution(let account, let update):
                hub.publish(account: account, event: update.json)
            case .accountPosition(let account, let time, let balances):
                let list = balances.keys.sorted().map { asset -> JSONValue in
                    ["a": .string(asset), "f": .decimal(balances[asset]!.free), "l": .decimal(balances[asset]!.locked)]
                }
                hub.publish(
                    account: account,
                    event: ["e": "outboundAccountPosition", "E": .int(time), "u": .int(time), "B": .array(list)])
            case .marketTrade(let symbol, let id, let price, let qty, let time):
                hub.publish(
                    stream: symbol.lowercased() + "@trade",
                    event: [
                        "e": "trade", "E": .int(time), "s": .string(symbol), "t": .int(id), "p": .decimal(price),
                        "q": .decimal(qty), "T": .int(time), "m": true, "M": true,
                    ])
            case .listStatus(let account, let list, let legs, let time):
                hub.publish(account: account, event: list.event(orders: legs, time: time))
            case .kline(let k, let time, let closed):
                hub.publish(
                    stream: k.symbol.lowercased() + "@kline_" + k.interval, event: k.event(time: time, closed: closed))
            }
        }
    }

    /// The next order fault, if one waits, taken by the order with `clientOrderId`.
    func takeOrderFault(clientOrderId: String?) -> FakeFault? {
        state.withLockedValue { s in
            guard !s.orderFaults.isEmpty else { return nil }
            let fault = s.orderFaults.removeFirst()
            if let clientOrderId { s.faulted[clientOrderId] = fault.kind }
            return fault
        }
    }

    /// The orders the order faults hit so far: client order id → the fault's kind.
    public var faultedOrders: [String: FakeFault.Kind] { state.withLockedValue { $0.faulted } }

    /// Applies a fault: order faults wait for the next order, the rest act now.
    public func inject(_ fault: FakeFault) {
        let now = nowMs()
        switch fault.kind {
        case .acceptThenTimeout, .error5xxAfterAccept, .unknownNotPlaced, .latePlacement:
            state.withLockedValue { $0.orderFaults.append(fault) }
        case .tooManyRequests:
            state.withLockedValue { $0.rate.forceBackOff(seconds: fault.retryAfterSeconds ?? 2, nowMs: now) }
        case .ban:
            state.withLockedValue { $0.rate.forceBan(seconds: fault.retryAfterSeconds ?? 120, nowMs: now) }
        case .clockSkew:
            state.withLockedValue { $0.skewMs = Int64(fault.ms ?? 0) }
        case .latency:
            state.withLockedValue { $0.latencyMs = fault.ms ?? 0 }
        case .dropStreams:
            hub.dropAll()
        case .serverShutdown:
            hub.shutdown(nowMs: now)
        case .accountReset:
            withExchange { $0.resetAccounts() }
        }
    }

    /// A trade on the public market (the price path, or a test moving the price).
    public func tick(symbol: String, price: VenueDecimal, qty: VenueDecimal? = nil) {
        let now = nowMs()
        withExchange { $0.tick(symbol: symbol, price: price, qty: qty, nowMs: now) }
    }

    /// A trade of the price path: none while the walk is held. Checked under the same lock as the
    /// trade, so once `holdWalk(true)` has returned the path trades no more.
    public func walk(symbol: String, price: VenueDecimal) {
        let now = nowMs()
        state.withLockedValue { s in
            guard !s.walkHeld else { return }
            s.exchange.tick(symbol: symbol, price: price, qty: nil, nowMs: now)
            publish(s.exchange.drainEvents())
        }
    }

    /// Holds the price path still (or lets it walk again).
    public func holdWalk(_ held: Bool) { state.withLockedValue { $0.walkHeld = held } }

    public var exchange: FakeExchange { state.withLockedValue { $0.exchange } }

    /// The symbol's last traded price (nil: it has not traded).
    public func lastPrice(_ symbol: String) -> VenueDecimal? { state.withLockedValue { $0.exchange.lastPrice[symbol] } }

    // MARK: - Renderings

    func exchangeInfo(symbol: String?) -> JSONValue {
        let c = configuration
        let limits: JSONValue = [
            [
                "rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                "limit": .int(Int64(c.weightPerMinute)),
            ],
            ["rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": .int(Int64(c.ordersPer10s))],
            ["rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": .int(Int64(c.ordersPerDay))],
            ["rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61_000],
        ]
        let symbols = c.symbols.filter { symbol == nil || $0.symbol == symbol }.map { s -> JSONValue in
            [
                "symbol": .string(s.symbol), "status": "TRADING", "baseAsset": .string(s.baseAsset),
                "baseAssetPrecision": 8, "quoteAsset": .string(s.quoteAsset), "quotePrecision": 8,
                "quoteAssetPrecision": 8, "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
                "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"], "icebergAllowed": false, "ocoAllowed": false,
                "otoAllowed": false, "quoteOrderQtyMarketAllowed": false, "allowTrailingStop": false,
                "cancelReplaceAllowed": false, "isSpotTradingAllowed": true, "isMarginTradingAllowed": false,
                "filters": [
                    [
                        "filterType": "PRICE_FILTER", "minPrice": .decimal(s.tickSize), "maxPrice": "1000000.00000000",
                        "tickSize": .decimal(s.tickSize),
                    ],
                    [
                        "filterType": "LOT_SIZE", "minQty": .decimal(s.minQty), "maxQty": .decimal(s.maxQty),
                        "stepSize": .decimal(s.stepSize),
                    ],
                    [
                        "filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": .decimal(s.maxQty),
                        "stepSize": "0.00000000",
                    ],
                    [
                        "filterType": "NOTIONAL", "minNotional": .decimal(s.minNotional), "applyMinToMarket": true,
                        "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5,
                    ],
                ],
                "permissions": [], "permissionSets": [["SPOT"]], "defaultSelfTradePreventionMode": "NONE",
                "allowedSelfTradePreventionModes": ["NONE"],
            ]
        }
        return [
            "timezone": "UTC", "serverTime": .int(nowMs()), "rateLimits": limits, "exchangeFilters": [],
            "symbols": .array(symbols),
        ]
    }

    func accountJSON(_ account: String) -> JSONValue {
        let rate = configuration.takerCommission
        let bps = Int64((rate * VenueDecimal(10_000)).truncated(toScale: 0).units)
        let balances = exchange.balances[account] ?? [:]
        let list = balances.keys.sorted().map { asset -> JSONValue in
            [
                "asset": .string(asset), "free": .decimal(balances[asset]!.free),
                "locked": .decimal(balances[asset]!.locked),
            ]
        }
        return [
            "makerCommission": .int(bps), "takerCommission": .int(bps), "buyerCommission": 0, "sellerCommission": 0,
            "commissionRates": [
                "maker": .decimal(configuration.makerCommission), "taker": .decimal(configuration.takerCommission),
                "buyer": "0.00000000", "seller": "0.00000000",
            ],
            "canTrade": true, "canWithdraw": true, "canDeposit": true, "brokered": false,
            "requireSelfTradePrevention": false, "preventSor": false, "updateTime": .int(nowMs()),
            "accountType": "SPOT",
            "balances": .array(list), "permissions": ["SPOT"], "uid": 1,
        ]
    }

    /// A new order's answer in the asked form (rest-api.md "Response ACK / RESULT / FULL"):
    /// MARKET and LIMIT default to FULL, the other types to ACK.
    func newOrderJSON(_ placed: FakeExchange.Placed, respType: String?) -> JSONValue {
        let o = placed.order
        let kind = respType ?? ([.market, .limit].contains(o.type) ? "FULL" : "ACK")
        var fields: [(String, JSONValue)] = [
            ("symbol", .string(o.symbol)), ("orderId", .int(o.orderId)), ("orderListId", -1),
            ("clientOrderId", .string(o.clientOrderId)), ("transactTime", .int(o.time)),
        ]
        guard kind != "ACK" else { return .object(fields) }
        fields += [
            ("price", .decimal(o.price ?? .zero)), ("origQty", .decimal(o.origQty)),
            ("executedQty", .decimal(o.executedQty)), ("origQuoteOrderQty", "0.00000000"),
            ("cummulativeQuoteQty", .decimal(o.cummulativeQuoteQty)), ("status", .string(o.status.rawValue)),
            ("timeInForce", .string((o.timeInForce ?? .gtc).rawValue)), ("type", .string(o.type.rawValue)),
            ("side", .string(o.side.rawValue)), ("workingTime", .int(o.time)), ("selfTradePreventionMode", "NONE"),
        ]
        if kind == "FULL" { fields.append(("fills", .array(placed.fills.map(\.fillJSON)))) }
        return .object(fields)
    }
}
