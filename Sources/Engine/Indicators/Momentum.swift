/// Momentum (`mom`): close minus the close `period` bars ago (TA-Lib's `MOM`).
public struct MomentumIndicator: Indicator {
    @usableFromInline var window: RingBuffer
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "mom", summary: "Close minus the close `period` bars ago.", parameters: [.period(10)], outputs: ["mom"])

    public init(period: Int) { window = RingBuffer(capacity: period + 1) }
    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else { return nil }
        _value = x - window.oldest
        return _value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}

/// Rate of change (`roc`): `(close / close[period ago] − 1) · 100` (TA-Lib's `ROC`; 0 when the old
/// close is 0).
public struct RateOfChange: Indicator {
    @usableFromInline var window: RingBuffer
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "roc", summary: "Rate of change in percent.", parameters: [.period(10)], outputs: ["roc"])

    public init(period: Int) { window = RingBuffer(capacity: period + 1) }
    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else { return nil }
        let old = window.oldest
        _value = old != 0 ? ((x / old) - 1.0) * 100.0 : 0
        return _value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}
