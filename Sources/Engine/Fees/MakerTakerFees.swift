/// A maker rate for fills that rested on the book and a taker rate for fills that took liquidity,
/// charged on the quote amount.
public struct MakerTakerFees: FeeModel {
    public var maker: Double
    public var taker: Double

    public static let descriptor = ComponentDescriptor(
        name: "maker_taker",
        summary: "Maker rate for resting limit fills, taker rate for the rest, on the quote amount.",
        parameters: [
            .double("maker", default: 0.001, range: -0.01...1, "maker rate (negative is a rebate)"),
            .double("taker", default: 0.001, range: 0...1, "taker rate"),
        ])

    public init(maker: Double, taker: Double) {
        self.maker = maker
        self.taker = taker
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(maker: p.double("maker"), taker: p.double("taker"))
    }

    public var usesTrailingVolume: Bool { false }

    public func fee(for trade: TradeInfo) -> FeeCharge {
        FeeCharge(quote: trade.notional * (trade.liquidity == .maker ? maker : taker))
    }
}
