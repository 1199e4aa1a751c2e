/// One asset's balance: `free` can be used by new orders, `held` is reserved by open orders.
public struct Balance: Sendable, Hashable, Codable {
    public var free: Double
    public var held: Double

    public init(free: Double, held: Double = 0) {
        self.free = free
        self.held = held
    }

    @inlinable
    public var total: Double { free + held }
}
