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
    @inlinable
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
        [batch(bars.close, period: p.int("period"))]
    }

    /// The same arithmetic as ``update(_:)-(Double)`` over a whole array.
    public static func batch(_ x: [Double], period n: Int) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        guard n >= 1, x.count >= n else { return out }
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                var partial = 0.0
                for i in 0..<(n - 1) { partial += x[i] }
                let d = Double(n)
                for i in (n - 1)..<x.count {
                    let total = partial + x[i]
                    out[i] = total / d
                    partial = total - x[i - n + 1]
                }
            }
        }
        return out
    }
}
