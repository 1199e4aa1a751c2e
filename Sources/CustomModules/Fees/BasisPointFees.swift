import ATSEngine

/// Example custom fee model: basis points of the notional with a minimum per fill, as many brokers
/// charge.
public struct BasisPointFees: FeeModel {
    public var basisPoints: Double
    public var minimum: Double

    public static let descriptor = ComponentDescriptor(
        name: "basis_points",
        summary: "Example custom fee model: basis points of the notional, at least `minimum` quote per fill.",
        parameters: [
            .double("bps", default: 5, range: 0...10_000, "basis points of the notional"),
            .double("minimum", default: 1, range: 0...1e9, "smallest fee per fill, in quote"),
        ])

    public init(parameters p: Parameters) throws(SpecError) {
        basisPoints = p.double("bps")
        minimum = p.double("minimum")
    }

    /// This model never reads `trade.trailingVolume`: saying so spares the exchange summing it.
    public var usesTrailingVolume: Bool { false }

    public func fee(for trade: TradeInfo) -> FeeCharge {
        FeeCharge(quote: max(minimum, trade.notional * basisPoints / 10_000))
    }
}
