import ATSVenues

/// What an `executionReport` says (user-data-stream.md "Order Update"): the order as it now
/// stands, and the execution that changed it.
public struct ExecutionUpdate: Sendable, Equatable {
    public enum Kind: String, Sendable { case new = "NEW", trade = "TRADE", canceled = "CANCELED", expired = "EXPIRED" }

    public var order: FakeOrder
    public var kind: Kind
    /// On a cancel, the cancel request's own client id (`c`); the order's is then `C`.
    public var cancelClientOrderId: String?
    public var trade: FakeTrade?
    public var time: Int64

    /// The event, field by field as the documentation lists them.
    public var json: JSONValue {
        let o = order
        return [
            "e": "executionReport", "E": .int(time), "s": .string(o.symbol),
            "c": .string(cancelClientOrderId ?? o.clientOrderId), "S": .string(o.side.rawValue),
            "o": .string(o.type.rawValue), "f": .string((o.timeInForce ?? .gtc).rawValue),
            "q": .decimal(o.origQty), "p": .decimal(o.price ?? .zero), "P": .decimal(o.stopPrice ?? .zero),
            "F": "0.00000000", "g": .int(o.orderListId),
            "C": .string(cancelClientOrderId == nil ? "" : o.clientOrderId), "x": .string(kind.rawValue),
            "X": .string(o.status.rawValue), "r": "NONE", "i": .int(o.orderId), "l": .decimal(trade?.qty ?? .zero),
            "z": .decimal(o.executedQty), "L": .decimal(trade?.price ?? .zero),
            "n": .decimal(trade?.commission ?? .zero),
            "N": trade.map { .string($0.commissionAsset) } ?? .null, "T": .int(time), "t": .int(trade?.id ?? -1),
            "I": .int(time), "w": .bool(o.isWorking), "m": .bool(trade?.isMaker ?? false), "M": false,
            "O": .int(o.time),
            "Z": .decimal(o.cummulativeQuoteQty), "Y": .decimal(trade?.quoteQty ?? .zero), "Q": "0.00000000",
        ]
    }
}
