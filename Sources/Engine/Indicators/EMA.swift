/// Exponential moving average of the close, as TA-Lib computes it: seeded with the SMA of the first
/// `period` values (first value at index `period - 1`), then `ema += k·(x − ema)` with `k = 2/(n+1)`,
/// TA-Lib's formula (unfused: the same bits on every CPU, within ~1e-14 of TA-Lib's FMA path).
public struct EMA: Indicator {
    public let period: Int
    public let k: Double
    @usableFromInline var seen: Int = 0
    @usableFromInline var seedSum: Double = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "ema", summary: "Exponential moving average of the close.", parameters: [.period(30)],
        outputs: ["ema"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        k = 2.0 / Double(period + 1)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        if seen >= period {
            _value = (x - _value) * k + _value
            return value
        }
        seen += 1
        seedSum += x
        guard seen == period else { return nil }
        _value = seedSum / Double(period)
        return value
    }

    /// Starts the average from a given value (MACD seeds its EMAs this way).
    @inlinable
    public mutating func seed(_ value: Double) {
        seen = period
        self._value = value
    }

    @inlinable
    public var isReady: Bool { seen >= period }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { value }

    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        [batch(bars.close, period: p.int("period"))]
    }

    /// The incremental update over a whole array (bit-identical to it by construction).
    public static func batch(_ x: [Double], period n: Int) -> [Double] {
        x.withUnsafeBufferPointer { x in
            BatchColumns.single(x.count) { out in
                var ema = EMA(period: n)
                var first = x.count
                for i in 0..<x.count {
                    if let v = ema.update(x[i]) {
                        out[i] = v
                        if first == x.count { first = i }
                    }
                }
                return first
            }
        }
    }
}
