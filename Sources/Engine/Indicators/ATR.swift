/// Average true range with Wilder smoothing, as TA-Lib's `ATR`: the mean of the first `period` true
/// ranges (first value at index `period`), then `atr = a·atr + b·tr` with `a = (n−1)/n`, `b = 1 − a`.
public struct ATR: Indicator {
    public let period: Int
    @usableFromInline var trueRange = TrueRange()
    @usableFromInline var count: Int = 0
    @usableFromInline var sum: Double = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "atr", summary: "Average true range (Wilder).", parameters: [.period(14)], outputs: ["atr"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> Double? {
        guard let tr = trueRange.update(high: high, low: low, close: close) else { return nil }
        if count >= period {
            _value = Self.smooth(value, tr, period: period)
            return value
        }
        count += 1
        sum += tr
        guard count == period else { return nil }
        _value = sum / Double(period)
        return value
    }

    /// Wilder's step with TA-Lib 0.8's weights, `a·atr` fused into the add as TA-Lib does on CPUs
    /// with FMA: a fused multiply-add is correctly rounded, so the bits are the same on every
    /// machine; it is one instruction where the build targets FMA (see docs/ENGINE.md), a call into
    /// libm otherwise. The loop-carried chain is that one operation.
    @inlinable
    static func smooth(_ previous: Double, _ tr: Double, period: Int) -> Double {
        let a = Double(period - 1) / Double(period)
        let b = 1 - a
        return (b * tr).addingProduct(a, previous)
    }

    @inlinable
    public var isReady: Bool { count >= period }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        update(high: bar.high, low: bar.low, close: bar.close) != nil
    }

    public func output(_ k: Int) -> Double { value }

    /// A kernel with the incremental update's exact arithmetic (true range, SMA seed, Wilder's
    /// step), state in locals; the tests hold it to the incremental form bit for bit.
    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        let n = p.int("period")
        let a = Double(n - 1) / Double(n)
        let b = 1 - a
        return bars.withUnsafeColumns { bar in
            [
                BatchColumns.single(bar.close.count) { out in
                    let count = bar.close.count
                    guard count > n else { return count }
                    var sum = 0.0
                    for i in 1...n {
                        let pc = bar.close[i - 1]
                        sum += max(bar.high[i], pc) - min(bar.low[i], pc)
                    }
                    var atr = sum / Double(n)
                    out[n] = atr
                    for i in (n + 1)..<count {
                        let pc = bar.close[i - 1]
                        let tr = max(bar.high[i], pc) - min(bar.low[i], pc)
                        atr = (b * tr).addingProduct(a, atr)
                        out[i] = atr
                    }
                    return n
                }
            ]
        }
    }
}
