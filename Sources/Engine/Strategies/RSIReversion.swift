/// Mean reversion on RSI: buy when RSI falls below `oversold`, exit when it rises above `exit`
/// (or reverse to short above `overbought` in long/short mode).
public struct RSIReversion: Strategy {
    var rsi: RSI
    var oversold: Double
    var overbought: Double
    var exitLevel: Double
    var direction: Direction
    var sizing: Sizing

    public static let plots = [
        PlotSeries("rsi", pane: .below), PlotSeries("oversold", pane: .below),
        PlotSeries("overbought", pane: .below),
    ]

    public func plot(_ k: Int) -> Double { k == 0 ? rsi.output(0) : k == 1 ? oversold : overbought }

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "rsi_reversion",
        summary: "Buy oversold RSI, sell when it recovers; short overbought RSI in long/short mode.",
        parameters: [
            .int("period", default: 14, range: 2...100_000, "RSI period"),
            .double("oversold", default: 30, range: 0...100, "buy below this RSI"),
            .double("overbought", default: 70, range: 0...100, "sell (or short) above this RSI"),
            .double("exit", default: 50, range: 0...100, "close the position when RSI crosses this level"),
            Direction.parameter,
        ] + Sizing.parameters)

    public init(parameters p: Parameters) throws(SpecError) {
        guard p.double("oversold") < p.double("overbought") else {
            throw SpecError(field: "oversold", reason: "must be below overbought (\(p.double("overbought")))")
        }
        rsi = RSI(period: p.int("period"))
        oversold = p.double("oversold")
        overbought = p.double("overbought")
        exitLevel = p.double("exit")
        direction = Direction(rawValue: p.string("direction")) ?? .longOnly
        sizing = Sizing(p)
    }

    /// Runs ahead over the bars on which ``onBar(_:venue:)`` would place nothing, given the
    /// position's side: those without an RSI yet, and those whose RSI enters no branch below.
    @inline(__always)
    public mutating func quietBars(_ bars: BarPointers, from: Int, to end: Int, positionSign side: Int) -> Int {
        let (low, high, exit) = (oversold, overbought, exitLevel)
        let shorts = direction == .longShort
        return rsi.feed(bars.close.baseAddress!, from: from, to: end) { r in
            !((r < low && side <= 0) || (r > high && shorts && side >= 0) || (side > 0 && r > exit)
                || (side < 0 && r < exit))
        }
    }

    @inline(__always)
    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        guard let r = rsi.update(bar.close), venue.openOrders.isEmpty else { return }
        let side = venue.positionSign
        if r < oversold && side <= 0 {
            let size = sizing.quantity(at: bar.close, venue: &venue)
            PositionTarget.move(to: size, venue: &venue, tag: "oversold")
        } else if r > overbought && direction == .longShort && side >= 0 {
            let size = sizing.quantity(at: bar.close, venue: &venue)
            PositionTarget.move(to: -size, venue: &venue, tag: "overbought")
        } else if side > 0 && r > exitLevel {
            PositionTarget.move(to: 0, venue: &venue, tag: "exit")
        } else if side < 0 && r < exitLevel {
            PositionTarget.move(to: 0, venue: &venue, tag: "exit")
        }
    }
}
