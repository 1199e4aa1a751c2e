import ATSVenues

/// One execution of an account's order (rest-api.md "Account trade list"): the fact a connector
/// must count once, keyed by symbol and trade id.
public struct FakeTrade: Sendable, Equatable {
    public var account: String
    public var symbol: String
    public var id: Int64
    public var orderId: Int64
    public var price: VenueDecimal
    public var qty: VenueDecimal
    public var quoteQty: VenueDecimal
    public var commission: VenueDecimal
    public var commissionAsset: String
    public var time: Int64
    public var isBuyer: Bool
    public var isMaker: Bool

    /// As `myTrades` lists it.
    public var json: JSONValue {
        [
            "symbol": .string(symbol), "id": .int(id), "orderId": .int(orderId), "orderListId": -1,
            "price": .decimal(price), "qty": .decimal(qty), "quoteQty": .decimal(quoteQty),
            "commission": .decimal(commission), "commissionAsset": .string(commissionAsset), "time": .int(time),
            "isBuyer": .bool(isBuyer), "isMaker": .bool(isMaker), "isBestMatch": true,
        ]
    }

    /// As a FULL new-order response lists it.
    public var fillJSON: JSONValue {
        [
            "price": .decimal(price), "qty": .decimal(qty), "commission": .decimal(commission),
            "commissionAsset": .string(commissionAsset), "tradeId": .int(id),
        ]
    }
}
