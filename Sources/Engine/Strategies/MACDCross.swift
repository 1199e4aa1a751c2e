/// MACD crossover: long when the MACD line crosses above its signal line; exit (or reverse to
/// short with `long_short`) when it crosses below.
public struct MACDCross: Strategy {
    var macd: MACD

    public static let plots = [PlotSeries("macd", pane: .below), PlotSeries("signal", pane: .below)]

    public func plot(_ k: Int) -> Double { macd.output(k) }
    var direction: Direction
    var sizing: Sizing
    var previousSide: Int8 = 0

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "macd_cross",
        summary: "Long when MACD crosses above its signal; exit or reverse on the cross below.",
        parameters: [
            .int("fast", default: 12, range: 2...100_000, "fast EMA period"),
            .int("slow", default: 26, range: 2...100_000, "slow EMA period"),
            .int("signal", default: 9, range: 1...100_000, "signal EMA period"),
            Direction.parameter,
        ] + Sizing.parameters)

    public init(parameters p: Parameters) throws(SpecError) {
        guard p.int("fast") < p.int("slow") else {
            throw SpecError(field: "fast", reason: "must be smaller than slow (\(p.int("slow"))), got \(p.int("fast"))")
        }
        macd = MACD(fast: p.int("fast"), slow: p.int("slow"), signal: p.int("signal"))
        direction = Direction(rawValue: p.string("direction")) ?? .longOnly
        sizing = Sizing(p)
    }

    /// Runs ahead over the bars on which the MACD line stays on its side of the signal (a tie or
    /// NaN keeps the side), and those before it has a first side: the bars ``onBar(_:venue:)``
    /// would only update the MACD on. The bar where they cross is not taken.
    @inline(__always)
    public mutating func quietBars(_ bars: BarPointers, from: Int, to end: Int, positionSign _: Int) -> Int {
        var previous = previousSide
        let next = macd.feed(bars.close.baseAddress!, from: from, to: end) { line, signal in
            let side: Int8 = line > signal ? 1 : line < signal ? -1 : previous
            guard previous == 0 || side == previous else { return false }
            previous = side
            return true
        }
        previousSide = previous
        return next
    }

    @inline(__always)
    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        guard macd.update(bar.close) else { return }
        let side: Int8 = macd.macd > macd.signal ? 1 : macd.macd < macd.signal ? -1 : previousSide
        defer { previousSide = side }
        guard previousSide != 0, side != previousSide else { return }
        let size = sizing.quantity(at: bar.close, venue: &venue)
        if side > 0 {
            PositionTarget.move(to: size, venue: &venue, tag: "long")
        } else {
            PositionTarget.move(
                to: direction == .longShort ? -size : 0, venue: &venue, tag: direction == .longShort ? "short" : "exit")
        }
    }
}
