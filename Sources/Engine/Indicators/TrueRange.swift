/// True range: the bar's range extended to the previous close (TA-Lib's `TRANGE`, first value at
/// index 1).
public struct TrueRange: Indicator {
    @usableFromInline var previousClose: Double = .nan
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "trange", summary: "True range.", parameters: [], outputs: ["trange"])

    public init() {}

    public init(parameters: Parameters) throws(SpecError) { self.init() }

    @inlinable
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> Double? {
        defer { previousClose = close }
        guard !previousClose.isNaN else { return nil }
        _value = Self.of(high: high, low: low, previousClose: previousClose)
        return value
    }

    /// The bar's range extended to the previous close.
    @inlinable @inline(__always)
    public static func of(high: Double, low: Double, previousClose: Double) -> Double {
        max(high, previousClose) - min(low, previousClose)
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        update(high: bar.high, low: bar.low, close: bar.close) != nil
    }

    public func output(_ k: Int) -> Double { value }
}
