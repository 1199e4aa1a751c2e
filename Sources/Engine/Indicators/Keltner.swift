/// Keltner channel: EMA of the close ± `multiplier` × ATR.
public struct Keltner: Indicator {
    @usableFromInline var ema: EMA
    @usableFromInline var atr: ATR
    public let multiplier: Double
    public private(set) var middle: Double = .nan
    public private(set) var width: Double = .nan

    public static let descriptor = IndicatorDescriptor(
        name: "keltner", summary: "Keltner channel: EMA ± multiplier × ATR.",
        parameters: [
            .period(20), .int("atr_period", default: 10, range: 1...100_000, "ATR period"),
            .double("multiplier", default: 2, range: 0...100, "ATR multiples"),
        ], outputs: ["upper", "middle", "lower"])

    public init(period: Int, atrPeriod: Int, multiplier: Double) {
        ema = EMA(period: period)
        atr = ATR(period: atrPeriod)
        self.multiplier = multiplier
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(period: p.int("period"), atrPeriod: p.int("atr_period"), multiplier: p.double("multiplier"))
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        let m = ema.update(bar.close)
        guard let a = atr.update(high: bar.high, low: bar.low, close: bar.close), let m else { return false }
        middle = m
        width = multiplier * a
        return true
    }

    public func output(_ k: Int) -> Double { k == 0 ? middle + width : k == 1 ? middle : middle - width }
}
