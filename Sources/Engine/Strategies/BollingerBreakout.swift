/// Bollinger breakout: long when the close breaks above the upper band, out when it falls back
/// below the middle band; with `long_short`, short below the lower band and out above the middle.
public struct BollingerBreakout: Strategy {
    var bands: BollingerBands

    public static let plots = [
        PlotSeries("upper", pane: .price), PlotSeries("middle", pane: .price), PlotSeries("lower", pane: .price),
    ]

    public func plot(_ k: Int) -> Double { bands.output(k) }
    var direction: Direction
    var sizing: Sizing

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "bollinger_breakout",
        summary: "Long above the upper band, out below the middle; short below the lower band with long_short.",
        parameters: [
            .int("period", default: 20, range: 2...100_000, "band period"),
            .double("deviations", default: 2, range: 0.1...10, "band width in standard deviations"),
            Direction.parameter,
        ] + Sizing.parameters)

    public init(parameters p: Parameters) throws(SpecError) {
        bands = BollingerBands(
            period: p.int("period"), deviationsUp: p.double("deviations"), deviationsDown: p.double("deviations"))
        direction = Direction(rawValue: p.string("direction")) ?? .longOnly
        sizing = Sizing(p)
    }

    @inline(__always)
    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        guard bands.update(bar.close), venue.openOrders.isEmpty else { return }
        let side = venue.positionSign
        if bar.close > bands.upper && side <= 0 {
            let size = sizing.quantity(at: bar.close, venue: &venue)
            PositionTarget.move(to: size, venue: &venue, tag: "breakout")
        } else if bar.close < bands.lower && side >= 0 && direction == .longShort {
            let size = sizing.quantity(at: bar.close, venue: &venue)
            PositionTarget.move(to: -size, venue: &venue, tag: "breakdown")
        } else if (side > 0 && bar.close < bands.middle) || (side < 0 && bar.close > bands.middle) {
            PositionTarget.move(to: 0, venue: &venue, tag: "exit")
        }
    }
}
