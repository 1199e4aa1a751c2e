/// Moving-average crossover: when the fast SMA crosses above the slow one, go long; when it crosses
/// below, close the long (long-only) or reverse to short (long/short).
public struct SMACross: Strategy {
    /// The fast and slow averages (one shared window).
    var averages: SMAPair
    var direction: Direction
    var sizing: Sizing
    /// Sign of fast − slow on the previous bar: +1, −1, or 0 before both averages exist.
    var previousSide: Int8 = 0

    public static let plots = [PlotSeries("fast", pane: .price), PlotSeries("slow", pane: .price)]

    /// Summed afresh from the window when drawn: keeping the last averages for it cost the run
    /// 1.7% (two stores a bar; docs/BENCHMARKS.md).
    public func plot(_ k: Int) -> Double { averages.mean(ofLast: k == 0 ? averages.shortPeriod : averages.longPeriod) }

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "sma_cross",
        summary: "Long when the fast SMA crosses above the slow SMA; exit or reverse on the cross below.",
        parameters: [
            .int("fast", default: 10, range: 1...100_000, "fast SMA period"),
            .int("slow", default: 30, range: 2...100_000, "slow SMA period"),
            Direction.parameter,
        ] + Sizing.parameters)

    public init(parameters p: Parameters) throws(SpecError) {
        guard p.int("fast") < p.int("slow") else {
            throw SpecError(field: "fast", reason: "must be smaller than slow (\(p.int("slow"))), got \(p.int("fast"))")
        }
        averages = SMAPair(short: p.int("fast"), long: p.int("slow"))
        direction = Direction(rawValue: p.string("direction")) ?? .longOnly
        sizing = Sizing(p)
    }

    @inline(__always)
    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        averages.makeUnique()
        onBarInRun(bar, venue: &venue)
    }

    public mutating func prepareForRun() { averages.makeUnique() }

    /// The bar's work with the window known to be unshared (``prepareForRun()``).
    @inline(__always)
    public mutating func onBarInRun<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        let (f, s) = averages.updateAssumingUnique(bar.close)
        guard let s, let f else { return }
        let side: Int8 = f > s ? 1 : f < s ? -1 : previousSide
        defer { previousSide = side }
        guard previousSide != 0, side != previousSide else { return }
        if side > 0 {
            let size = sizing.quantity(at: bar.close, venue: &venue)
            PositionTarget.move(to: size, venue: &venue, tag: "long")
        } else if direction == .longShort {
            let size = sizing.quantity(at: bar.close, venue: &venue)
            PositionTarget.move(to: -size, venue: &venue, tag: "short")
        } else {
            PositionTarget.move(to: 0, venue: &venue, tag: "exit")
        }
    }

    /// Runs ahead over the bars on which the averages stay on their side (a tie or NaN keeps it),
    /// and the first bars, before the slow one is defined: the bars ``onBarInRun(_:venue:)`` would
    /// only update the averages on. The bar where they cross is not taken, nor the bars from the
    /// one that completes the window until a first side is known (one, but for ties or NaN).
    @inline(__always)
    public mutating func quietBars(_ bars: BarPointers, from: Int, to end: Int, positionSign _: Int) -> Int {
        let close = bars.close.baseAddress!
        switch previousSide {
        case 1: return averages.feed(close, from: from, to: end) { f, s in !(f < s) }
        case -1: return averages.feed(close, from: from, to: end) { f, s in !(f > s) }
        default: return averages.warmUp(close, from: from, to: end)
        }
    }

    // Checkpoints written before the shared window held two separate SMAs; they still load.
    enum CodingKeys: String, CodingKey { case averages, direction, sizing, previousSide, fast, slow }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.averages) {
            averages = try c.decode(SMAPair.self, forKey: .averages)
        } else {
            averages = SMAPair(
                short: try c.decode(SMA.self, forKey: .fast), long: try c.decode(SMA.self, forKey: .slow))
        }
        direction = try c.decode(Direction.self, forKey: .direction)
        sizing = try c.decode(Sizing.self, forKey: .sizing)
        previousSide = try c.decode(Int8.self, forKey: .previousSide)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(averages, forKey: .averages)
        try c.encode(direction, forKey: .direction)
        try c.encode(sizing, forKey: .sizing)
        try c.encode(previousSide, forKey: .previousSide)
    }
}
