import Foundation

/// A live job's order as the coordinator recorded it: the intent (written before the order was
/// sent) and its outcome.
public struct OrderRecord: Sendable, Codable, Hashable {
    public var clientOrderId: String
    public var epoch: Int64
    public var symbol: String
    public var side: String
    public var orderType: String
    public var quantity: String
    public var price: String
    /// written, accepted, rejected, not_placed, unknown.
    public var state: String
    public var venueOrderId: Int64?
    public var code: Int64?
    public var message: String?
    public var createdAt: Date

    public init(
        clientOrderId: String, epoch: Int64, symbol: String, side: String, orderType: String, quantity: String,
        price: String, state: String, venueOrderId: Int64?, code: Int64?, message: String?, createdAt: Date
    ) {
        self.clientOrderId = clientOrderId
        self.epoch = epoch
        self.symbol = symbol
        self.side = side
        self.orderType = orderType
        self.quantity = quantity
        self.price = price
        self.state = state
        self.venueOrderId = venueOrderId
        self.code = code
        self.message = message
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case epoch, symbol, side, quantity, price, state, code, message
        case clientOrderId = "client_order_id"
        case orderType = "order_type"
        case venueOrderId = "venue_order_id"
        case createdAt = "created_at"
    }
}
