/// A position from flat back to flat: the unit of win rate, profit factor and the trades table.
public struct RoundTrip: Sendable, Hashable, Codable {
    /// `.buy` for a long, `.sell` for a short.
    public var side: OrderSide
    public var entryBar: Int
    public var exitBar: Int
    public var entryPrice: Double
    public var exitPrice: Double
    public var quantity: Double
    /// Net of fees, in quote.
    public var pnl: Double
    public var fees: Double
}
