/// Buy or sell.
public enum OrderSide: String, Sendable, Hashable, Codable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"

    /// +1 for a buy, -1 for a sell.
    @inlinable
    public var sign: Double { self == .buy ? 1 : -1 }

    @inlinable
    public var opposite: OrderSide { self == .buy ? .sell : .buy }
}
