/// An order's life cycle, with the names traders and venues use.
public enum OrderStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending = "PENDING"
    case partiallyFilled = "PARTIALLY_FILLED"
    case filled = "FILLED"
    case canceled = "CANCELED"
    case rejected = "REJECTED"

    /// Whether the order can still fill.
    @inlinable
    public var isOpen: Bool { self == .pending || self == .partiallyFilled }
}
