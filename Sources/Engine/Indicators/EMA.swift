/// Exponential moving average of the close, as TA-Lib computes it: seeded with the SMA of the first
/// `period` values (first value at index `period - 1`), then `k = 2/(n+1)` and `x·k + ema·(1 − k)`
/// with the second product fused into the add (`addingProduct`), algebraically TA-Lib's
/// `(x − ema)·k + ema` and within ~1e-14 of it. The loop-carried chain is that one fused
/// multiply-add (`x·k` does not depend on the previous value); the fused operation is correctly
/// rounded everywhere, so the bits are the same on every CPU (one instruction with FMA, a libm call
/// without).
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
            // x·k + ema·(1 − k), fused: the loop-carried chain is one fused multiply-add.
            _value = (x * k).addingProduct(_value, 1 - k)
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
        [bars.close.withUnsafeBufferPointer { batch($0, period: p.int("period")) }]
    }

    /// A kernel with the incremental update's exact arithmetic (SMA seed, then
    /// `x·k + ema·(1 − k)` fused), state in locals; the tests hold it to the incremental form bit for bit.
    public static func batch(_ x: UnsafeBufferPointer<Double>, period n: Int) -> [Double] {
        let k = 2.0 / Double(n + 1)
        return BatchColumns.single(x.count) { out in
            guard x.count >= n else { return x.count }
            var sum = 0.0
            for i in 0..<n { sum += x[i] }
            var ema = sum / Double(n)
            out[n - 1] = ema
            for i in n..<x.count {
                ema = (x[i] * k).addingProduct(ema, 1 - k)
                out[i] = ema
            }
            return n - 1
        }
    }
}
