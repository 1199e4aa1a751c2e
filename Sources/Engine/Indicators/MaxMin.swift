/// Which extreme a ``WindowExtreme`` tracks, and how it is registered.
public protocol ExtremeKind: Sendable {
    static var isMax: Bool { get }
    static var descriptor: IndicatorDescriptor { get }
}

/// Highest or lowest close over `period` bars (TA-Lib's `MAX` / `MIN`, first value at
/// `period − 1`), O(1) amortised with a monotonic deque.
public struct WindowExtreme<Kind: ExtremeKind>: Indicator {
    @usableFromInline var window: MonotonicWindow
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static var descriptor: IndicatorDescriptor { Kind.descriptor }

    public init(period: Int) { window = MonotonicWindow(period: period, max: Kind.isMax) }
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

public enum HighestKind: ExtremeKind {
    public static let isMax = true
    public static let descriptor = IndicatorDescriptor(
        name: "max", summary: "Highest close over the period.", parameters: [.period(30)], outputs: ["max"])
}

public enum LowestKind: ExtremeKind {
    public static let isMax = false
    public static let descriptor = IndicatorDescriptor(
        name: "min", summary: "Lowest close over the period.", parameters: [.period(30)], outputs: ["min"])
}

/// Highest close over `period` bars (`max`).
public typealias Highest = WindowExtreme<HighestKind>
/// Lowest close over `period` bars (`min`).
public typealias Lowest = WindowExtreme<LowestKind>
