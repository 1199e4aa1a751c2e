/// An order as the exchange keeps it, with its fill state and history-relevant fields.
public struct Order: Sendable, Hashable, Codable {
    public var id: OrderID
    public var side: OrderSide
    public var type: OrderType
    public var quantity: Double
    public var limitPrice: Double?
    public var stopPrice: Double?
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var status: OrderStatus
    public var filledQuantity: Double
    /// Volume-weighted average fill price; zero before the first fill.
    public var averagePrice: Double
    /// Time (ms) and bar index of submission.
    public var createdAt: Int64
    public var createdBar: Int
    /// True once a stop or stop-limit order has been triggered.
    public var triggered: Bool
    public var rejectReason: RejectReason?
    public var tag: InlineString
    /// The entry order a take-profit or stop-loss belongs to.
    public var parentId: OrderID?
    /// The other leg of a one-cancels-the-other pair.
    public var ocoId: OrderID?
    public var takeProfit: Double?
    public var stopLoss: Double?
    /// Funds reserved for this order (quote for buys, base for sells), released as it fills or ends.
    public var held: Double

    @inlinable
    public var remaining: Double { quantity - filledQuantity }
}
