/// Simple moving average of the close (the seed's Mean in SMA mode). TA-Lib's `SMA`: a running
/// sum, new value added before the oldest is removed, first value at index `period - 1`.
public struct SMA: Indicator {
    public let period: Int
    @usableFromInline var window: RingBuffer
    /// Sum of the newest `period - 1` values.
    @usableFromInline var partialSum: Double = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "sma", summary: "Simple moving average of the close.", parameters: [.period(30)], outputs: ["sma"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    /// Feeds one value; returns the average once `period` values were seen.
    @inlinable @inline(__always)
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else {
            partialSum += x
            return nil
        }
        let total = partialSum + x
        _value = total / Double(period)
        partialSum = total - window.oldest
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
    /// `period − 1` values summed in order, then per bar `total = partial + x`, `total / period`,
    /// `partial = total − oldest`, the oldest read from the input itself instead of a ring buffer.
    public static func batch(_ x: UnsafeBufferPointer<Double>, period n: Int) -> [Double] {
        BatchColumns.single(x.count) { out in
            guard x.count >= n else { return x.count }
            var partial = 0.0
            for i in 0..<(n - 1) { partial += x[i] }
            let divisor = Double(n)
            for i in (n - 1)..<x.count {
                let total = partial + x[i]
                out[i] = total / divisor
                partial = total - x[i - n + 1]
            }
            return n - 1
        }
    }
}
