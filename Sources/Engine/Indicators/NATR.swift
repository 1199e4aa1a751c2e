/// Normalised ATR: `ATR / close · 100` (TA-Lib's `NATR`).
public struct NATR: Indicator {
    @usableFromInline var atr: ATR
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "natr", summary: "Average true range as a percentage of the close.", parameters: [.period(14)],
        outputs: ["natr"])

    public init(period: Int) { atr = ATR(period: period) }
    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        guard let a = atr.update(high: bar.high, low: bar.low, close: bar.close) else { return false }
        _value = bar.close != 0 ? (a / bar.close) * 100.0 : 0
        return true
    }

    public func output(_ k: Int) -> Double { _value }
}
