/// Relative strength index with Wilder smoothing, as TA-Lib's `RSI`: average gain and loss seeded
/// over the first `period` changes, first value at index `period`.
public struct RSI: Indicator {
    public let period: Int
    @usableFromInline var previous: Double = .nan
    @usableFromInline var changes: Int = 0
    @usableFromInline var gain: Double = 0
    @usableFromInline var loss: Double = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "rsi", summary: "Relative strength index (Wilder).", parameters: [.period(14, min: 2)],
        outputs: ["rsi"])

    public init(period: Int) {
        precondition(period >= 2)
        self.period = period
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard !previous.isNaN else {
            previous = x
            return nil
        }
        let diff = x - previous
        previous = x
        let n = Double(period)
        if changes < period {
            if diff < 0 { loss -= diff } else { gain += diff }
            changes += 1
            guard changes == period else { return nil }
            loss /= n
            gain /= n
        } else {
            loss *= n - 1
            gain *= n - 1
            if diff < 0 { loss -= diff } else { gain += diff }
            loss /= n
            gain /= n
        }
        let total = gain + loss
        _value = Self.isZero(total) ? 0 : 100 * (gain / total)
        return value
    }

    /// TA-Lib's `TA_IS_ZERO`.
    @inlinable
    static func isZero(_ v: Double) -> Bool { -0.00000001 < v && v < 0.00000001 }

    @inlinable
    public var isReady: Bool { changes >= period }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { value }

    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        [batch(bars.close, period: p.int("period"))]
    }

    public static func batch(_ x: [Double], period: Int) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        guard x.count > period else { return out }
        let n = Double(period)
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                var gain = 0.0
                var loss = 0.0
                for i in 1...period {
                    let diff = x[i] - x[i - 1]
                    if diff < 0 { loss -= diff } else { gain += diff }
                }
                loss /= n
                gain /= n
                var total = gain + loss
                out[period] = isZero(total) ? 0 : 100 * (gain / total)
                for i in (period + 1)..<x.count {
                    let diff = x[i] - x[i - 1]
                    loss *= n - 1
                    gain *= n - 1
                    if diff < 0 { loss -= diff } else { gain += diff }
                    loss /= n
                    gain /= n
                    total = gain + loss
                    out[i] = isZero(total) ? 0 : 100 * (gain / total)
                }
            }
        }
        return out
    }
}
