import ATSEngine

/// Example custom strategy: long while the close is more than `threshold` above its value
/// `lookback` bars ago, flat otherwise. Copy this file to start your own.
public struct Momentum: Strategy {
    var window: RingBuffer
    var threshold: Double
    var sizing: Double

    /// It never asks the venue for an order that has ended, so its checkpoints carry none. If yours
    /// does (`venue.order(id)` after the fill or cancel), say how many of the latest it may ask
    /// for, or leave this out to keep the default 64.
    public static var finishedOrdersKept: Int { 0 }

    public static let descriptor = ComponentDescriptor(
        name: "momentum",
        summary: "Example custom strategy: long while the rate of change over `lookback` bars exceeds `threshold`.",
        parameters: [
            .int("lookback", default: 60, range: 1...100_000, "bars to look back"),
            .double("threshold", default: 0.002, range: -1...1, "rate of change that keeps the position"),
            .double("fraction", default: 1, range: 0...1, "fraction of equity per position"),
        ])

    public init(parameters p: Parameters) throws(SpecError) {
        window = RingBuffer(capacity: p.int("lookback") + 1)
        threshold = p.double("threshold")
        sizing = p.double("fraction")
    }

    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        window.push(bar.close)
        guard window.isFull, venue.openOrders.isEmpty else { return }
        let change = bar.close / window.oldest - 1
        let target = change > threshold ? venue.quantity(forEquityFraction: sizing, at: bar.close) : 0
        if (target > 0) != (venue.positionSign > 0) {
            PositionTarget.move(to: target, venue: &venue, tag: target > 0 ? "momentum" : "exit")
        }
    }
}
