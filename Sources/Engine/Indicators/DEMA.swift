/// Double exponential moving average, as TA-Lib's `DEMA`: `2·EMA − EMA(EMA)`, each EMA seeded
/// with the SMA of its first `period` inputs; first value at `2·(period − 1)`.
public struct DEMA: Indicator {
    @usableFromInline var first: EMA
    @usableFromInline var second: EMA
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "dema", summary: "Double exponential moving average.", parameters: [.period(30)], outputs: ["dema"])

    public init(period: Int) {
        first = EMA(period: period)
        second = EMA(period: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard let e1 = first.update(x), let e2 = second.update(e1) else { return nil }
        _value = 2 * e1 - e2
        return _value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}
