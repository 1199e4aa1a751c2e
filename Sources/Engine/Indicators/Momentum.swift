/// How a ``ChangeOverPeriod`` compares the close with the close `period` bars ago.
public protocol ChangeKind: Sendable {
    static var descriptor: IndicatorDescriptor { get }
    static func change(now: Double, then: Double) -> Double
}

/// The close against the close `period` bars ago: momentum (`mom`, TA-Lib's `MOM`) or rate of
/// change (`roc`, TA-Lib's `ROC`).
public struct ChangeOverPeriod<Kind: ChangeKind>: Indicator {
    @usableFromInline var window: RingBuffer
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static var descriptor: IndicatorDescriptor { Kind.descriptor }

    public init(period: Int) { window = RingBuffer(capacity: period + 1) }
    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else { return nil }
        _value = Kind.change(now: x, then: window.oldest)
        return _value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}

public enum MomentumKind: ChangeKind {
    public static let descriptor = IndicatorDescriptor(
        name: "mom", summary: "Close minus the close `period` bars ago.", parameters: [.period(10)], outputs: ["mom"])
    @inlinable
    public static func change(now: Double, then: Double) -> Double { now - then }
}

public enum RateOfChangeKind: ChangeKind {
    public static let descriptor = IndicatorDescriptor(
        name: "roc", summary: "Rate of change in percent.", parameters: [.period(10)], outputs: ["roc"])
    /// `(close / close[period ago] − 1) · 100`, 0 when the old close is 0 (TA-Lib's choice).
    @inlinable
    public static func change(now: Double, then: Double) -> Double { then != 0 ? ((now / then) - 1.0) * 100.0 : 0 }
}

/// Momentum (`mom`).
public typealias MomentumIndicator = ChangeOverPeriod<MomentumKind>
/// Rate of change (`roc`).
public typealias RateOfChange = ChangeOverPeriod<RateOfChangeKind>
