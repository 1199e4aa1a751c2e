/// Triple exponential moving average, as TA-Lib's `TEMA`: `3·e1 − 3·e2 + e3` with e2 = EMA(e1),
/// e3 = EMA(e2); first value at `3·(period − 1)`.
public struct TEMA: Indicator {
    @usableFromInline var e1: EMA
    @usableFromInline var e2: EMA
    @usableFromInline var e3: EMA
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "tema", summary: "Triple exponential moving average.", parameters: [.period(30)], outputs: ["tema"])

    public init(period: Int) {
        e1 = EMA(period: period)
        e2 = EMA(period: period)
        e3 = EMA(period: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard let a = e1.update(x), let b = e2.update(a), let c = e3.update(b) else { return nil }
        _value = 3 * a - 3 * b + c
        return _value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}
