import ATSVenues

/// An order on the fake venue, as the order endpoints write it (rest-api.md "Query order").
public struct FakeOrder: Sendable, Equatable {
    public var account: String
    public var symbol: String
    public var orderId: Int64
    public var clientOrderId: String
    public var side: SymbolFilters.Side
    public var type: BinanceOrders.OrderType
    public var timeInForce: BinanceOrders.TimeInForce?
    public var price: VenueDecimal?
    public var origQty: VenueDecimal
    public var executedQty: VenueDecimal = .zero
    public var cummulativeQuoteQty: VenueDecimal = .zero
    public var status: Status = .new
    public var time: Int64
    public var updateTime: Int64
    /// Quote (a buy's) or base (a sell's) held for the rest of the order while it rests.
    public var locked: VenueDecimal = .zero
    /// A `STOP_LOSS` order's trigger: it waits off the book until the last price reaches it.
    public var stopPrice: VenueDecimal? = nil
    /// The order list it belongs to (-1: none).
    public var orderListId: Int64 = -1

    public enum Status: String, Sendable, Codable {
        case new = "NEW", partiallyFilled = "PARTIALLY_FILLED", filled = "FILLED", canceled = "CANCELED"
        case expired = "EXPIRED", rejected = "REJECTED"
    }

    public var isOpen: Bool { status == .new || status == .partiallyFilled }
    /// On the book: open, and not a stop still waiting for its trigger (`workingTime` -1).
    public var isWorking: Bool { isOpen && stopPrice == nil }
    public var remaining: VenueDecimal { origQty - executedQty }

    /// The query endpoints' JSON (rest-api.md "Query order"), numbers padded as the venue pads them.
    public func json(priceScale: Int, quantityScale: Int) -> JSONValue {
        [
            "symbol": .string(symbol), "orderId": .int(orderId), "orderListId": .int(orderListId),
            "clientOrderId": .string(clientOrderId), "price": .string((price ?? .zero).padded(priceScale)),
            "origQty": .string(origQty.padded(quantityScale)),
            "executedQty": .string(executedQty.padded(quantityScale)),
            "cummulativeQuoteQty": .decimal(cummulativeQuoteQty), "status": .string(status.rawValue),
            "timeInForce": .string((timeInForce ?? .gtc).rawValue), "type": .string(type.rawValue),
            "side": .string(side.rawValue), "stopPrice": .string((stopPrice ?? .zero).padded(priceScale)),
            "icebergQty": .string(VenueDecimal.zero.padded(quantityScale)), "time": .int(time),
            "updateTime": .int(updateTime), "isWorking": .bool(stopPrice == nil),
            "workingTime": .int(stopPrice == nil ? time : -1),
            "origQuoteOrderQty": "0.00000000", "selfTradePreventionMode": "NONE",
        ]
    }
}

extension VenueDecimal {
    /// Written with at least `scale` decimals, as the venue pads its numbers ("0.10000000").
    func padded(_ scale: Int) -> String { (rescaled(to: max(scale, self.scale)) ?? self).description }
}
