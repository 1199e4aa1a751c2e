import ATSVenues

/// OCO order lists (`POST /api/v3/orderList/oco`, rest-api.md): a `LIMIT_MAKER` take-profit and
/// a `STOP_LOSS` on the other side of the last price, for one quantity. The subset the connector
/// uses; the documented codes for the rest. The limit leg holds what the list may spend; when
/// one leg starts to execute — the limit reached, or the stop triggered by a trade through its
/// price — the other expires (`OCO_TRIGGER`), the stop's before the stop executes as a market order.
extension FakeExchange {
    /// A new order list's outcome: the list and its orders, above leg first.
    public struct PlacedList: Sendable, Equatable {
        public var list: FakeOrderList
        public var orders: [FakeOrder]
    }

    /// One leg's parameters, read from `above…` or `below…`.
    private struct Leg {
        var type: BinanceOrders.OrderType
        var price: VenueDecimal?
        var stopPrice: VenueDecimal?
        var clientOrderId: String
    }

    public mutating func placeOCO(_ p: [String: String], account: String, nowMs: Int64) -> Result<
        PlacedList, FakeVenueError
    > {
        guard let name = p["symbol"], !name.isEmpty else { return .failure(.mandatory("symbol")) }
        guard let sideText = p["side"], !sideText.isEmpty else { return .failure(.mandatory("side")) }
        guard let s = symbol(name) else { return .failure(.badSymbol) }
        guard let side = SymbolFilters.Side(rawValue: sideText) else {
            return .failure(FakeVenueError(code: -1117, msg: "Invalid side."))
        }
        guard let qText = p["quantity"], !qText.isEmpty else { return .failure(.mandatory("quantity")) }
        guard let quantity = VenueDecimal(qText), quantity > .zero else { return .failure(.mandatory("quantity")) }
        let legs: [Leg]
        switch (leg("above", p), leg("below", p)) {
        case (.success(let a), .success(let b)): legs = [a, b]
        case (.failure(let e), _), (_, .failure(let e)): return .failure(e)
        }
        // One leg a LIMIT_MAKER, the other a STOP_LOSS (the other pairs the docs allow are not
        // modelled here); the limit above the market for a sell, below for a buy.
        let limitIndex = side == .sell ? 0 : 1
        guard legs[limitIndex].type == .limitMaker, legs[1 - limitIndex].type == .stopLoss else {
            return .failure(FakeVenueError(code: -1158, msg: "Order type not supported in OCO."))
        }
        let limit = legs[limitIndex]
        let stop = legs[1 - limitIndex]
        guard let limitPrice = limit.price else {
            return .failure(.mandatory(limitIndex == 0 ? "abovePrice" : "belowPrice"))
        }
        guard let stopPrice = stop.stopPrice else {
            return .failure(.mandatory(limitIndex == 0 ? "belowStopPrice" : "aboveStopPrice"))
        }
        let market = lastPrice[name] ?? s.price
        let ordered =
            side == .sell ? limitPrice > market && market > stopPrice : limitPrice < market && market < stopPrice
        guard ordered else {
            return .failure(.rejected("The relationship of the prices for the orders is not correct."))
        }
        for price in [limitPrice, stopPrice] {
            if price.scale > 8 || quantity.scale > 8 {
                return .failure(
                    FakeVenueError(code: -1111, msg: "Precision is over the maximum defined for this asset."))
            }
            if !price.isMultiple(of: s.tickSize) { return .failure(.filter("PRICE_FILTER")) }
            if price * quantity < s.minNotional { return .failure(.filter("NOTIONAL")) }
        }
        if quantity < s.minQty || quantity > s.maxQty || !quantity.isMultiple(of: s.stepSize) {
            return .failure(.filter("LOT_SIZE"))
        }
        let listClientOrderId = p["listClientOrderId"] ?? "fakelist-\(nextOrderListId)"
        for id in [listClientOrderId, legs[0].clientOrderId, legs[1].clientOrderId] where !ClientOrderId.isValidForm(id)
        {
            return .failure(
                FakeVenueError(
                    code: -1100,
                    msg: "Illegal characters found in a client order id; legal range is '^[a-zA-Z0-9-_]{1,36}$'."))
        }
        if legs[0].clientOrderId == legs[1].clientOrderId
            || orders.contains(where: {
                $0.account == account && $0.isOpen
                    && ($0.clientOrderId == legs[0].clientOrderId || $0.clientOrderId == legs[1].clientOrderId)
            })
            || orderLists.contains(where: {
                $0.account == account && $0.status == .executing && $0.listClientOrderId == listClientOrderId
            })
        {
            return .failure(.rejected("Duplicate order sent."))
        }
        // What the list may spend, held by its limit leg: a sell's base, a buy's quote at the limit.
        let needAsset = side == .buy ? s.quoteAsset : s.baseAsset
        let need = side == .buy ? limitPrice * quantity : quantity
        guard (balances[account]?[needAsset]?.free ?? .zero) >= need else {
            return .failure(.rejected("Account has insufficient balance for requested action."))
        }

        let listId = nextOrderListId
        nextOrderListId += 1
        var placed: [FakeOrder] = []
        for l in legs {
            var o = FakeOrder(
                account: account, symbol: name, orderId: nextOrderId, clientOrderId: l.clientOrderId, side: side,
                type: l.type, timeInForce: .gtc, price: l.type == .limitMaker ? l.price : nil, origQty: quantity,
                time: nowMs, updateTime: nowMs)
            o.stopPrice = l.type == .stopLoss ? l.stopPrice : nil
            o.orderListId = listId
            if l.type == .limitMaker {
                o.locked = need
                move(account, need, of: needAsset, fromFree: true)
            }
            nextOrderId += 1
            placements[o.clientOrderId, default: 0] += 1
            placed.append(o)
        }
        let list = FakeOrderList(
            account: account, symbol: name, orderListId: listId, listClientOrderId: listClientOrderId,
            orderIds: placed.map(\.orderId), transactionTime: nowMs)
        for o in placed {
            orders.append(o)
            pending.append(.execution(account: account, ExecutionUpdate(order: o, kind: .new, trade: nil, time: nowMs)))
        }
        orderLists.append(list)
        pending.append(.listStatus(account: account, list, orders: placed, time: nowMs))
        positionChanged(account, assets: [needAsset], nowMs: nowMs)
        return .success(PlacedList(list: list, orders: placed))
    }

    private func leg(_ prefix: String, _ p: [String: String]) -> Result<Leg, FakeVenueError> {
        guard let typeText = p[prefix + "Type"], !typeText.isEmpty else { return .failure(.mandatory(prefix + "Type")) }
        guard let type = BinanceOrders.OrderType(rawValue: typeText),
            [.limitMaker, .stopLoss, .stopLossLimit, .takeProfit, .takeProfitLimit].contains(type)
        else { return .failure(FakeVenueError(code: -1158, msg: "Order type not supported in OCO.")) }
        let price = p[prefix + "Price"].flatMap { VenueDecimal($0) }
        let stopPrice = p[prefix + "StopPrice"].flatMap { VenueDecimal($0) }
        if let price, price <= .zero { return .failure(.mandatory(prefix + "Price")) }
        if let stopPrice, stopPrice <= .zero { return .failure(.mandatory(prefix + "StopPrice")) }
        return .success(
            Leg(
                type: type, price: price, stopPrice: stopPrice,
                clientOrderId: p[prefix + "ClientOrderId"] ?? "fake-\(prefix)-\(nextOrderId)"))
    }

    /// `GET /api/v3/orderList` by id or list client id (the latest with it), and its orders.
    public func orderList(account: String, orderListId: Int64?, listClientOrderId: String?) -> (
        FakeOrderList, [FakeOrder]
    )? {
        guard
            let list = orderLists.last(where: {
                $0.account == account && (orderListId == nil || $0.orderListId == orderListId)
                    && (listClientOrderId == nil || $0.listClientOrderId == listClientOrderId)
            })
        else { return nil }
        return (list, list.orderIds.compactMap { id in orders.first { $0.orderId == id } })
    }

    /// An order of a list started to execute (or was cancelled): its other open orders go —
    /// expired (`OCO_TRIGGER`), or cancelled with the same cancel id — and the list is done.
    mutating func endList(of order: FakeOrder, cancelId: String?, nowMs: Int64) {
        guard order.orderListId >= 0, let l = orderLists.firstIndex(where: { $0.orderListId == order.orderListId })
        else { return }
        let s = symbol(order.symbol)!
        for k in orders.indices where orders[k].orderListId == order.orderListId && orders[k].isOpen {
            guard orders[k].orderId != order.orderId || cancelId != nil else { continue }
            let asset = orders[k].side == .buy ? s.quoteAsset : s.baseAsset
            move(orders[k].account, orders[k].locked, of: asset, fromFree: false)
            orders[k].locked = .zero
            orders[k].status = cancelId == nil ? .expired : .canceled
            orders[k].updateTime = nowMs
            pending.append(
                .execution(
                    account: orders[k].account,
                    ExecutionUpdate(
                        order: orders[k], kind: cancelId == nil ? .expired : .canceled, cancelClientOrderId: cancelId,
                        time: nowMs)))
        }
        orderLists[l].status = .allDone
        orderLists[l].transactionTime = nowMs
        let legs = orderLists[l].orderIds.compactMap { id in orders.first { $0.orderId == id } }
        pending.append(.listStatus(account: order.account, orderLists[l], orders: legs, time: nowMs))
        positionChanged(order.account, assets: [s.baseAsset, s.quoteAsset], nowMs: nowMs)
    }

    /// A trade at `price`: the stops it reaches trigger — their list's other order expires
    /// first — and execute at once as market orders, takers, from what the account holds (a
    /// stop whose account no longer holds enough expires).
    mutating func triggerStops(symbol name: String, at price: VenueDecimal, nowMs: Int64) -> Set<String> {
        var touched: Set<String> = []
        for k in orders.indices where orders[k].symbol == name && orders[k].isOpen {
            guard let stop = orders[k].stopPrice else { continue }
            guard orders[k].side == .sell ? price <= stop : price >= stop else { continue }
            endList(of: orders[k], cancelId: nil, nowMs: nowMs)
            var order = orders[k]
            let s = symbol(name)!
            let asset = order.side == .buy ? s.quoteAsset : s.baseAsset
            let need = order.side == .buy ? price * order.remaining : order.remaining
            touched.insert(order.account)
            // A sell stop alone holds its base; an OCO's stop gets it back from the expired limit.
            let available = (balances[order.account]?[asset]?.free ?? .zero) + order.locked
            guard available >= need else {
                order.status = .expired
                order.updateTime = nowMs
                orders[k] = order
                pending.append(
                    .execution(account: order.account, ExecutionUpdate(order: order, kind: .expired, time: nowMs)))
                continue
            }
            _ = execute(&order, qty: order.remaining, at: price, isMaker: false, nowMs: nowMs)
            orders[k] = order
        }
        return touched
    }
}
