/// The seed's `simple_ma`: a fast/slow moving-average cross (SMA or WMA) confirmed by RSI or OBV,
/// entering with a bracket whose take-profit and stop-loss sit `tp_std` and `sl_std` standard
/// deviations of the close away. `go_long` / `go_short` choose the sides; `order_value_pct` sizes
/// each entry as a share of equity; `liquidate_share` closes a position whose value passes that
/// share of equity (``Liquidation``). Unlike the seed, the bracket comparisons are right for shorts.
public struct SimpleMA: Strategy {
    /// An SMA or a WMA. A struct, not an enum with payloads: updating an enum's payload copies it
    /// out and back, and the copy made the window's storage shared, so every bar reallocated it.
    /// Checkpoints keep the enum's format (`{"sma": {"_0": …}}`).
    struct Average: Codable, Sendable {
        var sma: SMA?
        var wma: WMA?

        static func sma(_ a: SMA) -> Average { Average(sma: a, wma: nil) }
        static func wma(_ a: WMA) -> Average { Average(sma: nil, wma: a) }

        @inline(__always)
        mutating func update(_ x: Double) -> Double? {
            sma != nil ? sma!.update(x) : wma!.update(x)
        }

        private enum Kind: String, CodingKey { case sma, wma }
        private enum Payload: String, CodingKey { case _0 }

        init(sma: SMA?, wma: WMA?) {
            self.sma = sma
            self.wma = wma
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Kind.self)
            if c.contains(.sma) {
                self.init(
                    sma: try c.nestedContainer(keyedBy: Payload.self, forKey: .sma).decode(SMA.self, forKey: ._0),
                    wma: nil)
            } else {
                self.init(
                    sma: nil,
                    wma: try c.nestedContainer(keyedBy: Payload.self, forKey: .wma).decode(WMA.self, forKey: ._0))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Kind.self)
            if let sma {
                var payload = c.nestedContainer(keyedBy: Payload.self, forKey: .sma)
                try payload.encode(sma, forKey: ._0)
            } else if let wma {
                var payload = c.nestedContainer(keyedBy: Payload.self, forKey: .wma)
                try payload.encode(wma, forKey: ._0)
            }
        }
    }

    var fast: Average

    public static let plots = [PlotSeries("fast", pane: .price), PlotSeries("slow", pane: .price)]

    public func plot(_ k: Int) -> Double {
        let a = k == 0 ? fast : slow
        return a.sma?.output(0) ?? a.wma?.output(0) ?? .nan
    }
    var slow: Average
    var std: StdDev
    var rsi: RSI
    var obv: OBV
    var confirmation: String
    var rsiLong: Double
    var rsiShort: Double
    var takeProfitStd: Double
    var stopLossStd: Double
    var goLong: Bool
    var goShort: Bool
    var orderValue: Double
    /// Liquidation on a drifting balance (nil: off; absent from checkpoints written before it).
    var liquidation: Liquidation?
    var previousSide: Int8 = 0

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "simple_ma",
        summary: "MA cross confirmed by RSI or OBV; bracket TP/SL at multiples of the standard deviation.",
        parameters: [
            .int("fast", default: 12, range: 1...100_000, "fast average period"),
            .int("slow", default: 48, range: 2...100_000, "slow average period"),
            .choice("ma", default: "sma", ["sma", "wma"], "average type"),
            .choice("confirm", default: "rsi", ["rsi", "obv", "none"], "what confirms a cross"),
            .int("rsi_period", default: 14, range: 2...100_000, "RSI period"),
            .double("rsi_long", default: 50, range: 0...100, "RSI above this confirms a long"),
            .double("rsi_short", default: 50, range: 0...100, "RSI below this confirms a short"),
        ] + StdDevBracket.parameters)

    public init(parameters p: Parameters) throws(SpecError) {
        guard p.int("fast") < p.int("slow") else {
            throw SpecError(field: "fast", reason: "must be smaller than slow (\(p.int("slow"))), got \(p.int("fast"))")
        }
        try StdDevBracket.validate(p)
        let wma = p.string("ma") == "wma"
        fast = wma ? .wma(WMA(period: p.int("fast"))) : .sma(SMA(period: p.int("fast")))
        slow = wma ? .wma(WMA(period: p.int("slow"))) : .sma(SMA(period: p.int("slow")))
        std = StdDev(period: p.int("std_period"))
        rsi = RSI(period: p.int("rsi_period"))
        obv = OBV()
        confirmation = p.string("confirm")
        rsiLong = p.double("rsi_long")
        rsiShort = p.double("rsi_short")
        takeProfitStd = p.double("tp_std")
        stopLossStd = p.double("sl_std")
        goLong = p.bool("go_long")
        goShort = p.bool("go_short")
        orderValue = p.double("order_value_pct")
        liquidation = try Liquidation(p)
    }

    public static func sellsShort(_ p: Parameters) -> Bool { p.bool("go_short") }

    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        let r = rsi.update(bar.close)
        let lastOBV = obv.value
        let volumeBalance = obv.update(close: bar.close, volume: bar.volume)
        let sd = std.update(bar.close)
        let f = fast.update(bar.close)
        let s = slow.update(bar.close)
        // Before the averages exist too: a reloaded strategy warms up again while it holds.
        let liquidating = liquidation?.check(close: bar.close, venue: &venue) ?? false
        guard let s, let f, let sd, sd > 0 else { return }
        let side: Int8 = f > s ? 1 : f < s ? -1 : previousSide
        defer { previousSide = side }
        guard !liquidating, previousSide != 0, side != previousSide, venue.positionSign == 0, venue.openOrders.isEmpty
        else { return }
        let confirmed: Bool
        switch confirmation {
        case "rsi": confirmed = r.map { side > 0 ? $0 > rsiLong : $0 < rsiShort } ?? false
        case "obv": confirmed = lastOBV.isNaN ? false : (side > 0 ? volumeBalance > lastOBV : volumeBalance < lastOBV)
        default: confirmed = true
        }
        guard confirmed, (side > 0 && goLong) || (side < 0 && goShort) else { return }
        StdDevBracket.enter(
            side > 0 ? .buy : .sell, close: bar.close, sd: sd, takeProfitStd: takeProfitStd,
            stopLossStd: stopLossStd, orderValue: orderValue, venue: &venue)
    }
}
