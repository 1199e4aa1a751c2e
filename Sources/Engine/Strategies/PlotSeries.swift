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
}
