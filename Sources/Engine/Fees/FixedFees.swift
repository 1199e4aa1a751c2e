/// A fixed amount of quote per fill (a broker's per-ticket commission).
public struct FixedFees: FeeModel {
    public var perFill: Double

    public static let descriptor = ComponentDescriptor(
        name: "fixed",
        summary: "A fixed quote amount per fill.",
        parameters: [.double("amount", default: 1, range: 0...1e9, "quote charged per fill")])

    public init(perFill: Double) { self.perFill = perFill }

    public init(parameters p: Parameters) throws(SpecError) { perFill = p.double("amount") }

    public var usesTrailingVolume: Bool { false }

    public func fee(for trade: TradeInfo) -> FeeCharge { FeeCharge(quote: perFill) }
}
