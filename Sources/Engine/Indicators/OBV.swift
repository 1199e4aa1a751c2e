/// On-balance volume, as TA-Lib's `OBV`: starts at the first bar's volume, then adds the volume of
/// up closes and subtracts that of down closes. Defined from the first bar.
public struct OBV: Indicator {
    @usableFromInline var previousClose: Double = .nan
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "obv", summary: "On-balance volume.", parameters: [], outputs: ["obv"])

    public init() {}

    public init(parameters: Parameters) throws(SpecError) { self.init() }

    @inlinable
    @discardableResult
    public mutating func update(close: Double, volume: Double) -> Double {
        if previousClose.isNaN {
            _value = volume
        } else if close > previousClose {
            _value += volume
        } else if close < previousClose {
            _value -= volume
        }
        previousClose = close
        return _value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        update(close: bar.close, volume: bar.volume)
        return true
    }

    public func output(_ k: Int) -> Double { _value }
}
