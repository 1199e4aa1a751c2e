import Foundation

/// A public trade as `GET /api/v3/aggTrades` lists it (rest-api.md "Compressed/Aggregate trades
/// list"): trades that filled at the same time, from the same taker order, at the same price, as
/// one.
public struct BinanceAggTrade: Sendable, Equatable, Decodable {
    public var id: Int64
    public var price: VenueDecimal
    public var quantity: VenueDecimal
    public var timeMs: Int64

    public init(id: Int64, price: VenueDecimal, quantity: VenueDecimal, timeMs: Int64) {
        self.id = id
        self.price = price
        self.quantity = quantity
        self.timeMs = timeMs
    }

    enum CodingKeys: String, CodingKey {
        case id = "a"
        case price = "p"
        case quantity = "q"
        case timeMs = "T"
    }

    public struct RowError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The response's trades, in the venue's order.
    public static func rows(_ data: Data) throws -> [BinanceAggTrade] {
        do {
            return try JSONDecoder().decode([BinanceAggTrade].self, from: data)
        } catch {
            throw RowError(description: "aggTrades: \(error)")
        }
    }
}
