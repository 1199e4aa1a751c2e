/// Williams %R (TA-Lib's `WILLR`): `(highest high − close) / (highest high − lowest low) · −100`
/// over `period` bars; 0 when the range is 0.
public struct WilliamsR: Indicator {
    @usableFromInline var range: PriceRange
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "willr", summary: "Williams %R.", parameters: [.period(14, min: 2)], outputs: ["willr"])

    public init(period: Int) { range = PriceRange(period: period) }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        guard let (h, l) = range.update(high: bar.high, low: bar.low) else { return false }
        let diff = (h - l) / -100.0  // TA-Lib's arithmetic, for identical rounding
        _value = diff != 0 ? (h - bar.close) / diff : 0
        return true
    }

    public func output(_ k: Int) -> Double { _value }
}
