import ATSVenues

/// A trade on the public market, as `GET /api/v3/aggTrades` lists it (rest-api.md
/// "Compressed/Aggregate trades list"): each of the fake venue's market trades is its own
/// aggregate (first and last trade id the same).
public struct FakeMarketTrade: Sendable, Equatable {
    public var aggregateId: Int64
    public var tradeId: Int64
    public var price: VenueDecimal
    public var qty: VenueDecimal
    public var time: Int64
    public var buyerIsMaker: Bool

    public var json: JSONValue {
        [
            "a": .int(aggregateId), "p": .decimal(price), "q": .decimal(qty), "f": .int(tradeId), "l": .int(tradeId),
            "T": .int(time), "m": .bool(buyerIsMaker), "M": true,
        ]
    }
}
