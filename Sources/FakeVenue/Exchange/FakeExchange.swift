import ATSVenues

/// The fake venue's matching engine and accounts, as a pure value (the venue's clock passed in):
/// orders validated as Binance validates them (errors.md codes and messages), filled against one
/// last-trade price per symbol (market orders and crossing limits at once as takers, resting
/// limits as makers when a trade reaches their price), balances moved exactly, commission taken
/// in the asset received. Everything it did is left as events for the streams.
public struct FakeExchange: Sendable {
    public struct Balance: Sendable, Equatable {
        public var free: VenueDecimal
        public var locked: VenueDecimal

        public init(free: VenueDecimal, locked: VenueDecimal) {
            self.free = free
            self.locked = locked
        }
    }

    public enum Event: Sendable, Equatable {
        /// An account's order changed (`executionReport`).
        case execution(account: String, ExecutionUpdate)
        /// An account's balances changed (`outboundAccountPosition`), the assets touched.
        case accountPosition(account: String, time: Int64, balances: [String: Balance])
        /// A trade on the public market (the `<symbol>@trade` stream).
        case marketTrade(symbol: String, id: Int64, price: VenueDecimal, qty: VenueDecimal, time: Int64)
        /// A kline changed (`<symbol>@kline_<interval>`), closed or still open.
        case kline(FakeKline, time: Int64, closed: Bool)
        /// An account's order list changed (`listStatus`).
        case listStatus(account: String, FakeOrderList, orders: [FakeOrder], time: Int64)
    }

    /// A new order's outcome: the order, and its fills at once.
    public struct Placed: Sendable, Equatable {
        public var order: FakeOrder
        public var fills: [FakeTrade]
    }

    public let configuration: FakeVenueConfiguration
    public private(set) var lastPrice: [String: VenueDecimal] = [:]
    public private(set) var balances: [String: [String: Balance]] = [:]
    public internal(set) var orders: [FakeOrder] = []
    public private(set) var trades: [FakeTrade] = []
    /// How many orders the venue accepted under each client order id: the tests' oracle for
    /// "never placed twice".
    public internal(set) var placements: [String: Int] = [:]
    var nextOrderId: Int64 = 1
    var nextOrderListId: Int64 = 1
    /// Order lists (OCO), oldest first.
    public internal(set) var orderLists: [FakeOrderList] = []
    private var nextTradeId: [String: Int64] = [:]
    var pending: [Event] = []
    /// The open kline per symbol and interval, and the closed ones (the most recent
    /// `klineHistory` of each).
    public private(set) var openKlines: [String: FakeKline] = [:]
    public private(set) var closedKlines: [String: [FakeKline]] = [:]
    public var klineHistory = 5_000
    /// The public market's trades per symbol, the most recent `tradeHistory` (`aggTrades`).
    public private(set) var marketTrades: [String: [FakeMarketTrade]] = [:]
    public var tradeHistory = 100_000

    public init(configuration: FakeVenueConfiguration) {
        self.configuration = configuration
        for s in configuration.symbols {
            lastPrice[s.symbol] = s.price
            nextTradeId[s.symbol] = 1
        }
        resetBalances()
    }

    public func symbol(_ name: String) -> FakeVenueConfiguration.Symbol? {
        configuration.symbols.first { $0.symbol == name }
    }

    /// The testnet's monthly reset: balances back to their start, open orders gone, no events.
    public mutating func resetAccounts() {
        for k in orders.indices where orders[k].isOpen { orders[k].status = .expired }
        for l in orderLists.indices { orderLists[l].status = .allDone }
        resetBalances()
    }

    private mutating func resetBalances() {
        balances = [:]
        for a in configuration.accounts {
            balances[a.name] = a.balances.mapValues { Balance(free: $0, locked: .zero) }
        }
    }

    /// Events since the last call, in order.
    public mutating func drainEvents() -> [Event] {
        defer { pending = [] }
        return pending
    }

    // MARK: - Orders

    /// `POST /api/v3/order` with its parameters (already authenticated as `account`).
    public mutating func place(_ p: [String: String], account: String, nowMs: Int64) -> Result<Placed, FakeVenueError> {
        guard let name = p["symbol"], !name.isEmpty else { return .failure(.mandatory("symbol")) }
        guard let sideText = p["side"], !sideText.isEmpty else { return .failure(.mandatory("side")) }
        guard let typeText = p["type"], !typeText.isEmpty else { return .failure(.mandatory("type")) }
        guard let s = symbol(name) else { return .failure(.badSymbol) }
        guard let side = SymbolFilters.Side(rawValue: sideText) else {
            return .failure(FakeVenueError(code: -1117, msg: "Invalid side."))
        }
        guard let type = BinanceOrders.OrderType(rawValue: typeText),
            [.limit, .market, .limitMaker, .stopLoss].contains(type)
        else { return .failure(FakeVenueError(code: -1116, msg: "Invalid orderType.")) }
        var timeInForce: BinanceOrders.TimeInForce?
        if type == .limit {
            guard let t = p["timeInForce"], !t.isEmpty else { return .failure(.mandatory("timeInForce")) }
            guard let tif = BinanceOrders.TimeInForce(rawValue: t) else {
                return .failure(FakeVenueError(code: -1115, msg: "Invalid timeInForce."))
            }
            timeInForce = tif
        }
        guard let qText = p["quantity"], !qText.isEmpty else { return .failure(.mandatory("quantity")) }
        guard let quantity = VenueDecimal(qText), quantity > .zero else { return .failure(.mandatory("quantity")) }
        var price: VenueDecimal?
        var stopPrice: VenueDecimal?
        if type == .stopLoss {
            guard let t = p["stopPrice"], !t.isEmpty else { return .failure(.mandatory("stopPrice")) }
            guard let v = VenueDecimal(t), v > .zero else { return .failure(.mandatory("stopPrice")) }
            stopPrice = v
        } else if type != .market {
            guard let pText = p["price"], !pText.isEmpty else { return .failure(.mandatory("price")) }
            guard let v = VenueDecimal(pText), v > .zero else { return .failure(.mandatory("price")) }
            price = v
        }
        if quantity.scale > 8 || (price?.scale ?? 0) > 8 {
            return .failure(FakeVenueError(code: -1111, msg: "Precision is over the maximum defined for this asset."))
        }
        if let price, !price.isMultiple(of: s.tickSize) { return .failure(.filter("PRICE_FILTER")) }
        if let stopPrice, stopPrice.scale > 8 || !stopPrice.isMultiple(of: s.tickSize) {
            return .failure(.filter("PRICE_FILTER"))
        }
        if quantity < s.minQty || quantity > s.maxQty || !quantity.isMultiple(of: s.stepSize) {
            return .failure(.filter("LOT_SIZE"))
        }
        let market = lastPrice[name] ?? s.price
        if (price ?? stopPrice ?? market) * quantity < s.minNotional { return .failure(.filter("NOTIONAL")) }
        // A stop waits off the book for a trade through its price: one already reached is refused.
        if let stopPrice, side == .sell ? stopPrice >= market : stopPrice <= market {
            return .failure(.rejected("Order would trigger immediately."))
        }
        let clientOrderId = p["newClientOrderId"] ?? "fake-\(nextOrderId)"
        guard ClientOrderId.isValidForm(clientOrderId) else {
            return .failure(
                FakeVenueError(
                    code: -1100,
                    msg:
                        "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'."
                ))
        }
        // An id is refused while an order with it is open; accepted again once that one is done
        // (rest-api.md newClientOrderId).
        if orders.contains(where: { $0.account == account && $0.clientOrderId == clientOrderId && $0.isOpen }) {
            return .failure(.rejected("Duplicate order sent."))
        }
        let crosses = stopPrice == nil && (price.map { side == .buy ? $0 >= market : $0 <= market } ?? true)
        if type == .limitMaker && crosses { return .failure(.rejected("Order would immediately match and take.")) }
        // What the order needs free: a buy the quote at its price (at the market's when it takes),
        // a sell the base.
        let needAsset = side == .buy ? s.quoteAsset : s.baseAsset
        let need = side == .buy ? (crosses ? market : price ?? stopPrice!) * quantity : quantity
        guard (balances[account]?[needAsset]?.free ?? .zero) >= need else {
            return .failure(.rejected("Account has insufficient balance for requested action."))
        }

        var order = FakeOrder(
            account: account, symbol: name, orderId: nextOrderId, clientOrderId: clientOrderId, side: side, type: type,
            timeInForce: timeInForce, price: price, origQty: quantity, time: nowMs, updateTime: nowMs)
        order.stopPrice = stopPrice
        nextOrderId += 1
        placements[clientOrderId, default: 0] += 1
        pending.append(.execution(account: account, ExecutionUpdate(order: order, kind: .new, trade: nil, time: nowMs)))
        var fills: [FakeTrade] = []
        if crosses {
            fills.append(execute(&order, qty: quantity, at: market, isMaker: false, nowMs: nowMs))
        } else if timeInForce == .ioc || timeInForce == .fok {
            order.status = .expired
            pending.append(.execution(account: account, ExecutionUpdate(order: order, kind: .expired, time: nowMs)))
        } else if stopPrice == nil || side == .sell {
            // Rests on the book (or a sell stop waits off it): what it may spend is held. A buy
            // stop pays the market when it triggers, from what the account then holds.
            order.locked = need
            move(account, need, of: needAsset, fromFree: true)
        }
        orders.append(order)
        positionChanged(account, assets: [s.baseAsset, s.quoteAsset], nowMs: nowMs)
        return .success(Placed(order: order, fills: fills))
    }

    /// `DELETE /api/v3/order`: cancels an open order by id or client id.
    public mutating func cancel(
        account: String, symbol name: String, orderId: Int64?, clientOrderId: String?, cancelId: String, nowMs: Int64
    ) -> Result<FakeOrder, FakeVenueError> {
        guard let s = symbol(name) else { return .failure(.badSymbol) }
        // errors.md: a cancel of an order not found (or no longer open) is -2011 "Unknown order sent.".
        guard let k = index(account: account, symbol: name, orderId: orderId, clientOrderId: clientOrderId),
            orders[k].isOpen
        else { return .failure(FakeVenueError(code: -2011, msg: "Unknown order sent.")) }
        let asset = orders[k].side == .buy ? s.quoteAsset : s.baseAsset
        move(account, orders[k].locked, of: asset, fromFree: false)
        orders[k].locked = .zero
        orders[k].status = .canceled
        orders[k].updateTime = nowMs
        pending.append(
            .execution(
                account: account,
                ExecutionUpdate(order: orders[k], kind: .canceled, cancelClientOrderId: cancelId, time: nowMs)))
        positionChanged(account, assets: [asset], nowMs: nowMs)
        // Cancelling one order of a list cancels the whole list (rest-api.md "Cancel order list").
        endList(of: orders[k], cancelId: cancelId, nowMs: nowMs)
        return .success(orders[k])
    }

    /// `GET /api/v3/order`: by order id, else the latest order with the client id.
    public func order(account: String, symbol name: String, orderId: Int64?, clientOrderId: String?) -> Result<
        FakeOrder, FakeVenueError
    > {
        guard symbol(name) != nil else { return .failure(.badSymbol) }
        guard let k = index(account: account, symbol: name, orderId: orderId, clientOrderId: clientOrderId) else {
            return .failure(.noSuchOrder)
        }
        return .success(orders[k])
    }

    func index(account: String, symbol: String, orderId: Int64?, clientOrderId: String?) -> Int? {
        orders.lastIndex {
            $0.account == account && $0.symbol == symbol && (orderId == nil || $0.orderId == orderId)
                && (clientOrderId == nil || $0.clientOrderId == clientOrderId)
        }
    }

    public func openOrders(account: String, symbol: String?) -> [FakeOrder] {
        orders.filter { $0.account == account && $0.isOpen && (symbol == nil || $0.symbol == symbol) }
    }

    /// `GET /api/v3/myTrades`: from a trade id (inclusive) or the most recent, at most `limit`.
    public func accountTrades(account: String, symbol: String, fromId: Int64?, orderId: Int64?, limit: Int)
        -> [FakeTrade]
    {
        let mine = trades.filter {
            $0.account == account && $0.symbol == symbol && (orderId == nil || $0.orderId == orderId)
        }
        if let fromId { return Array(mine.filter { $0.id >= fromId }.prefix(limit)) }
        return Array(mine.suffix(limit))
    }

    // MARK: - The market

    /// A trade on the public market at `price` (of `qty`, or as much as resting orders want):
    /// resting orders it reaches fill at their own price, as makers, oldest first.
    public mutating func tick(symbol name: String, price: VenueDecimal, qty: VenueDecimal? = nil, nowMs: Int64) {
        guard let s = symbol(name) else { return }
        let onTick = price.rounded(toMultipleOf: s.tickSize, up: false)
        lastPrice[name] = onTick
        var left = qty
        var touched: Set<String> = []
        for k in orders.indices where orders[k].symbol == name && orders[k].isOpen {
            guard let limit = orders[k].price else { continue }
            let reached = orders[k].side == .buy ? onTick <= limit : onTick >= limit
            guard reached else { continue }
            var fillQty = orders[k].remaining
            if let l = left { fillQty = min(fillQty, l) }
            guard fillQty > .zero else { break }
            var order = orders[k]
            trades.append(execute(&order, qty: fillQty, at: limit, isMaker: true, nowMs: nowMs, record: false))
            orders[k] = order
            // An OCO's limit leg reached: executed first, then its stop leg expires.
            if order.orderListId >= 0 { endList(of: order, cancelId: nil, nowMs: nowMs) }
            touched.insert(order.account)
            if let l = left { left = l - fillQty }
        }
        touched.formUnion(triggerStops(symbol: name, at: onTick, nowMs: nowMs))
        let id = takeTradeId(name)
        let size = qty ?? s.minQty
        pending.append(.marketTrade(symbol: name, id: id, price: onTick, qty: size, time: nowMs))
        var history = marketTrades[name, default: []]
        history.append(
            FakeMarketTrade(
                aggregateId: (history.last?.aggregateId ?? 0) + 1, tradeId: id, price: onTick, qty: size, time: nowMs,
                buyerIsMaker: id % 2 == 0))
        if history.count > tradeHistory { history.removeFirst(history.count - tradeHistory) }
        marketTrades[name] = history
        updateKlines(symbol: name, tradeId: id, price: onTick, qty: size, nowMs: nowMs)
        for account in touched.sorted() { positionChanged(account, assets: [s.baseAsset, s.quoteAsset], nowMs: nowMs) }
    }

    /// Folds a market trade into every interval's kline, closing the ones it is past.
    private mutating func updateKlines(
        symbol: String, tradeId: Int64, price: VenueDecimal, qty: VenueDecimal, nowMs: Int64
    ) {
        for (interval, length) in FakeKline.intervals {
            let key = symbol + "@" + interval
            let start = nowMs - nowMs % length
            if var open = openKlines[key], open.openTime < start {
                // Closed by the first trade past its end; the intervals without trades in
                // between are flat candles at the last close.
                closeKline(open, key: key, nowMs: nowMs)
                var t = open.openTime + length
                while t < start {
                    open = FakeKline(
                        symbol: symbol, interval: interval, openTime: t, closeTime: t + length - 1,
                        firstTradeId: -1, lastTradeId: -1, open: open.close, high: open.close, low: open.close,
                        close: open.close, volume: .zero, quoteVolume: .zero, trades: 0)
                    closeKline(open, key: key, nowMs: nowMs)
                    t += length
                }
                openKlines[key] = nil
            }
            var k =
                openKlines[key]
                ?? FakeKline(
                    symbol: symbol, interval: interval, openTime: start, closeTime: start + length - 1,
                    firstTradeId: tradeId, lastTradeId: tradeId, open: price, high: price, low: price, close: price,
                    volume: .zero, quoteVolume: .zero, trades: 0)
            k.high = max(k.high, price)
            k.low = min(k.low, price)
            k.close = price
            k.lastTradeId = tradeId
            k.volume += qty
            k.quoteVolume += qty * price
            k.trades += 1
            openKlines[key] = k
            pending.append(.kline(k, time: nowMs, closed: false))
        }
    }

    private mutating func closeKline(_ k: FakeKline, key: String, nowMs: Int64) {
        closedKlines[key, default: []].append(k)
        if closedKlines[key]!.count > klineHistory {
            closedKlines[key]!.removeFirst(closedKlines[key]!.count - klineHistory)
        }
        pending.append(.kline(k, time: nowMs, closed: true))
    }

    /// `GET /api/v3/klines`: closed klines and the open one, oldest first, from `startTime`
    /// (else the most recent), at most `limit`.
    public func klines(symbol: String, interval: String, startTime: Int64?, endTime: Int64?, limit: Int) -> [FakeKline]
    {
        let key = symbol + "@" + interval
        var all = closedKlines[key] ?? []
        if let open = openKlines[key] { all.append(open) }
        all = all.filter { (endTime == nil || $0.openTime <= endTime!) }
        if let startTime { return Array(all.filter { $0.openTime >= startTime }.prefix(limit)) }
        return Array(all.suffix(limit))
    }

    /// `GET /api/v3/aggTrades`: from `fromId`, else from `startTime`, else the most recent;
    /// none after `endTime`; at most `limit`, oldest first.
    public func aggTrades(symbol: String, fromId: Int64?, startTime: Int64?, endTime: Int64?, limit: Int)
        -> [FakeMarketTrade]
    {
        let all = marketTrades[symbol] ?? []
        var from: ArraySlice<FakeMarketTrade>
        if let fromId {
            from = all[(all.firstIndex { $0.aggregateId >= fromId } ?? all.endIndex)...]
        } else if let startTime {
            from = all[(all.firstIndex { $0.time >= startTime } ?? all.endIndex)...]
        } else {
            from = all.suffix(limit)
        }
        if let endTime { from = from.prefix { $0.time <= endTime } }
        return Array(from.prefix(limit))
    }

    // MARK: - Accounting

    /// Fills `qty` of `order` at `price`: balances moved, commission in the asset received, the
    /// trade recorded (unless the caller records it) and reported.
    mutating func execute(
        _ order: inout FakeOrder, qty: VenueDecimal, at price: VenueDecimal, isMaker: Bool, nowMs: Int64,
        record: Bool = true
    ) -> FakeTrade {
        let s = symbol(order.symbol)!
        let quote = price * qty
        let rate = isMaker ? configuration.makerCommission : configuration.takerCommission
        let account = order.account
        let trade: FakeTrade
        if order.side == .buy {
            let paidFromLock = order.locked > .zero
            let cost = paidFromLock ? order.price! * qty : quote
            if paidFromLock {
                order.locked -= cost
                balances[account, default: [:]][s.quoteAsset, default: Balance(free: .zero, locked: .zero)].locked -=
                    cost
            } else {
                balances[account, default: [:]][s.quoteAsset, default: Balance(free: .zero, locked: .zero)].free -= cost
            }
            let commission = (qty * rate).truncated(toScale: 8)
            balances[account, default: [:]][s.baseAsset, default: Balance(free: .zero, locked: .zero)].free +=
                qty - commission
            trade = FakeTrade(
                account: account, symbol: order.symbol, id: takeTradeId(order.symbol), orderId: order.orderId,
                price: price, qty: qty, quoteQty: quote, commission: commission, commissionAsset: s.baseAsset,
                time: nowMs, isBuyer: true, isMaker: isMaker)
        } else {
            if order.locked > .zero {
                order.locked -= qty
                balances[account, default: [:]][s.baseAsset, default: Balance(free: .zero, locked: .zero)].locked -= qty
            } else {
                balances[account, default: [:]][s.baseAsset, default: Balance(free: .zero, locked: .zero)].free -= qty
            }
            let commission = (quote * rate).truncated(toScale: 8)
            balances[account, default: [:]][s.quoteAsset, default: Balance(free: .zero, locked: .zero)].free +=
                quote - commission
            trade = FakeTrade(
                account: account, symbol: order.symbol, id: takeTradeId(order.symbol), orderId: order.orderId,
                price: price, qty: qty, quoteQty: quote, commission: commission, commissionAsset: s.quoteAsset,
                time: nowMs, isBuyer: false, isMaker: isMaker)
        }
        order.executedQty += qty
        order.cummulativeQuoteQty += quote
        order.status = order.executedQty == order.origQty ? .filled : .partiallyFilled
        order.updateTime = nowMs
        if record { trades.append(trade) }
        pending.append(
            .execution(account: account, ExecutionUpdate(order: order, kind: .trade, trade: trade, time: nowMs)))
        return trade
    }

    mutating func move(_ account: String, _ amount: VenueDecimal, of asset: String, fromFree: Bool) {
        var b = balances[account, default: [:]][asset, default: Balance(free: .zero, locked: .zero)]
        if fromFree {
            b.free -= amount
            b.locked += amount
        } else {
            b.locked -= amount
            b.free += amount
        }
        balances[account]![asset] = b
    }

    private mutating func takeTradeId(_ symbol: String) -> Int64 {
        defer { nextTradeId[symbol, default: 1] += 1 }
        return nextTradeId[symbol, default: 1]
    }

    mutating func positionChanged(_ account: String, assets: [String], nowMs: Int64) {
        var touched: [String: Balance] = [:]
        for a in assets { touched[a] = balances[account]?[a] ?? Balance(free: .zero, locked: .zero) }
        pending.append(.accountPosition(account: account, time: nowMs, balances: touched))
    }
}
