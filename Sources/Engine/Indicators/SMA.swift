/// Simple moving average of the close (the seed's Mean in SMA mode), as TA-Lib's `SMA`: a running
/// sum divided by the period, first value at index `period - 1`.
///
/// The running sum of the newest `period − 1` values moves by the difference of the value coming
/// in and the one leaving, `partial + (x − leaving)`: one addition on the loop-carried chain,
/// where TA-Lib's `(partial + x) − leaving` has two. The values differ from TA-Lib's in the last
/// bits (well within the 1e-9 of the fixtures); the division is `PeriodDivisor`'s, `total / period`
/// correctly rounded.
public struct SMA: Indicator {
    public let period: Int
    @usableFromInline var window: RingBuffer
    /// Sum of the newest `period - 1` values.
    @usableFromInline var partialSum: Double = 0
    @usableFromInline let divisor: PeriodDivisor
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "sma", summary: "Simple moving average of the close.", parameters: [.period(30)], outputs: ["sma"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        window = RingBuffer(capacity: period)
        divisor = PeriodDivisor(period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    enum CodingKeys: String, CodingKey { case period, window, partialSum, _value }

    /// The checkpointed state; the divisor follows from the period.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        period = try c.decodePeriod(forKey: .period)
        window = try c.decode(RingBuffer.self, forKey: .window)
        try c.requireWindow(window.capacity, forPeriod: period, forKey: .window)
        partialSum = try c.decode(Double.self, forKey: .partialSum)
        _value = try c.decode(Double.self, forKey: ._value)
        divisor = PeriodDivisor(period)
    }

    /// Feeds one value; returns the average once `period` values were seen.
    @inlinable @inline(__always)
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else {
            partialSum += x
            return nil
        }
        _value = divisor.divide(partialSum + x)
        partialSum += x - window.oldest
        return value
    }

    @inlinable
    public var isReady: Bool { window.isFull }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { value }

    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        [bars.close.withUnsafeBufferPointer { batch($0, period: p.int("period")) }]
    }

    /// The incremental update's arithmetic over a whole array, bit-identical to it: the newest
    /// `period − 1` values summed in order, then per bar `(partial + x) / period` and
    /// `partial += x − leaving`, the leaving value read from the input itself instead of a ring
    /// buffer.
    public static func batch(_ x: UnsafeBufferPointer<Double>, period n: Int) -> [Double] {
        BatchColumns.single(x.count) { out in
            guard x.count >= n else { return x.count }
            var partial = 0.0
            for i in 0..<(n - 1) { partial += x[i] }
            let divisor = PeriodDivisor(n)
            let lag = n - 1
            for i in lag..<x.count {
                out[i] = divisor.divide(partial + x[i])
                partial += x[i] - x[i &- lag]
            }
            return n - 1
        }
    }
}
