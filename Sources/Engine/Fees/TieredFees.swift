import Foundation

/// Maker/taker rates that fall as the account's trailing 30-day quote volume grows, like the
/// schedules of Binance and most venues. `tiers` is a list `volume:maker:taker` separated by `;`,
/// for example `0:0.001:0.001;1000000:0.0009:0.001;5000000:0.0008:0.0009`, sorted by volume.
public struct TieredFees: FeeModel {
    public struct Tier: Sendable, Hashable {
        public var minimumVolume: Double
        public var maker: Double
        public var taker: Double
    }

    public var tiers: [Tier]

    public static let descriptor = ComponentDescriptor(
        name: "tiered",
        summary: "Maker/taker rates by trailing 30-day quote volume.",
        parameters: [
            .string(
                "tiers", default: "0:0.001:0.001;1000000:0.0009:0.001;5000000:0.0008:0.0009",
                "volume:maker:taker;… sorted by volume, the first at 0")
        ])

    public init(tiers: [Tier]) { self.tiers = tiers }

    public init(parameters p: Parameters) throws(SpecError) {
        var tiers: [Tier] = []
        for part in p.string("tiers").split(separator: ";") {
            let fields = part.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard fields.count == 3, let v = fields[0], let m = fields[1], let t = fields[2], v >= 0 else {
                throw SpecError(field: "tiers", reason: "each tier is volume:maker:taker, got '\(part)'")
            }
            if let last = tiers.last, v <= last.minimumVolume {
                throw SpecError(field: "tiers", reason: "tiers must be sorted by increasing volume")
            }
            tiers.append(Tier(minimumVolume: v, maker: m, taker: t))
        }
        guard tiers.first?.minimumVolume == 0 else {
            throw SpecError(field: "tiers", reason: "the first tier must start at volume 0")
        }
        self.tiers = tiers
    }

    public func fee(for trade: TradeInfo) -> FeeCharge {
        var tier = tiers[0]
        for t in tiers where trade.trailingVolume >= t.minimumVolume { tier = t }
        return FeeCharge(quote: trade.notional * (trade.liquidity == .maker ? tier.maker : tier.taker))
    }
}
