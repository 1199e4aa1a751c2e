/// A series a strategy draws beside the price (the seed's plot topics): its indicators, a
/// model's prediction, its thresholds. Series on the `price` pane share the price's axis; the
/// others share one pane below it. A strategy declares them (``Strategy/plots``) and gives each
/// one's value after every bar (``Strategy/plot(_:)``); NaN leaves a gap.
public struct PlotSeries: Sendable, Hashable, Codable {
    public enum Pane: String, Sendable, Hashable, Codable {
        case price
        case below
    }

    public var name: String
    public var pane: Pane

    public init(_ name: String, pane: Pane) {
        self.name = name
        self.pane = pane
    }

    enum CodingKeys: String, CodingKey { case name, pane }

    /// A pane this release does not know (a newer one's) is read as `below`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        pane = Pane(rawValue: try c.decode(String.self, forKey: .pane)) ?? .below
    }

    /// A name safe to store and show: control characters dropped, at most 100 characters, and
    /// `series` when nothing is left.
    public static func safeName(_ name: String) -> String {
        let kept = String(
            String.UnicodeScalarView(
                name.unicodeScalars.filter {
                    !$0.properties.isNoncharacterCodePoint && $0.properties.generalCategory != .control
                }))
        let cut = String(kept.prefix(100))
        return cut.isEmpty ? "series" : cut
    }
}
