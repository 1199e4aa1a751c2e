/// Highest value of the close over `period` bars (TA-Lib's `MAX`, first value at `period - 1`).
public struct Highest: Indicator {
    @usableFromInline var window: MonotonicWindow
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "max", summary: "Highest close over the period.", parameters: [.period(30)], outputs: ["max"])

    public init(period: Int) { window = MonotonicWindow(period: period, max: true) }
    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard let v = window.update(x) else { return nil }
        _value = v
        return v
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}

/// Lowest value of the close over `period` bars (TA-Lib's `MIN`).
public struct Lowest: Indicator {
    @usableFromInline var window: MonotonicWindow
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "min", summary: "Lowest close over the period.", parameters: [.period(30)], outputs: ["min"])

    public init(period: Int) { window = MonotonicWindow(period: period, max: false) }
    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard let v = window.update(x) else { return nil }
        _value = v
        return v
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}
