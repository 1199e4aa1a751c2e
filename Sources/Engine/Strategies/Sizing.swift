/// How large each new position is.
public struct Sizing: Sendable, Hashable, Codable {
    /// Fixed base quantity per position, when positive.
    public var quantity: Double
    /// Otherwise this fraction of equity.
    public var equityFraction: Double

    static let parameters: [ParameterSpec] = [
        .double("quantity", default: 0, range: 0...1e15, "fixed base quantity per position (0: use fraction)"),
        .double("fraction", default: 1, range: 0...100, "fraction of equity per position when quantity is 0"),
    ]

    init(_ p: Parameters) {
        quantity = p.double("quantity")
        equityFraction = p.double("fraction")
    }

    /// The base quantity for a new position at `price`, rounded down to the step size. Takes the
    /// venue `inout` so the call never copies it.
    @inlinable
    public func quantity<V: TradingVenue>(at price: Double, venue: inout V) -> Double {
        guard quantity <= 0 else { return venue.instrument.roundQuantity(quantity) }
        guard price > 0 else { return 0 }
        return venue.instrument.roundQuantity(venue.wallet.equity(at: price) * equityFraction / price)
    }
}
