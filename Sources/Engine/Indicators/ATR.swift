/// Average true range with Wilder smoothing, as TA-Lib's `ATR`: the mean of the first `period` true
/// ranges (first value at index `period`), then `atr = a·atr + b·tr` with `a = (n−1)/n`, `b = 1 − a`.
///
/// Wilder's step is taken two bars at a time from an anchor (the seed, then every second value):
/// `atr₂ = a²·anchor + (a·b·tr₁ + b·tr₂)`, one fused multiply-add on the loop-carried chain per two
/// bars instead of one per bar, and the bar in between is `a·anchor + b·tr₁` off the chain. The same
/// recurrence, rounded differently: within a few ulps of TA-Lib's one-step values (1e-15 relative).
public struct ATR: Indicator {
    public let period: Int
    @usableFromInline var trueRange = TrueRange()
    @usableFromInline var count: Int = 0
    @usableFromInline var sum: Double = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }
    /// The value the two-bar step starts from.
    @usableFromInline var anchor: Double = .nan
    /// Whether the last value was the bar after the anchor, whose `b·tr` is `pendingMove`.
    @usableFromInline var halfway = false
    @usableFromInline var pendingMove: Double = 0
    /// Follows from the period (not checkpointed).
    @usableFromInline let weights: Weights

    public static let descriptor = IndicatorDescriptor(
        name: "atr", summary: "Average true range (Wilder).", parameters: [.period(14)], outputs: ["atr"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        weights = Weights(period: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    enum CodingKeys: String, CodingKey { case period, trueRange, count, sum, _value, anchor, halfway, pendingMove }

    /// The checkpointed state. A checkpoint from before the two-bar step has no anchor: its last
    /// value becomes one.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        period = try c.decodePeriod(forKey: .period)
        trueRange = try c.decode(TrueRange.self, forKey: .trueRange)
        count = try c.decode(Int.self, forKey: .count)
        sum = try c.decode(Double.self, forKey: .sum)
        _value = try c.decode(Double.self, forKey: ._value)
        anchor = try c.decodeIfPresent(Double.self, forKey: .anchor) ?? _value
        halfway = try c.decodeIfPresent(Bool.self, forKey: .halfway) ?? false
        pendingMove = try c.decodeIfPresent(Double.self, forKey: .pendingMove) ?? 0
        weights = Weights(period: period)
    }

    @inlinable
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> Double? {
        guard let tr = trueRange.update(high: high, low: low, close: close) else { return nil }
        if count >= period {
            let move = weights.b * tr
            if halfway {
                _value = weights.secondStep(from: anchor, pendingMove, move)
                anchor = _value
            } else {
                _value = weights.firstStep(from: anchor, move)
                pendingMove = move
            }
            halfway.toggle()
            return value
        }
        count += 1
        sum += tr
        guard count == period else { return nil }
        _value = sum / Double(period)
        anchor = _value
        halfway = false
        return value
    }

    /// Wilder's weights with TA-Lib 0.8's arithmetic, and the two steps from an anchor. Each
    /// multiply-add is fused (`addingProduct`, as TA-Lib does on CPUs with FMA): correctly rounded,
    /// so the bits are the same on every machine; one instruction where the build targets FMA (see
    /// docs/ENGINE.md), a call into libm otherwise.
    @usableFromInline
    struct Weights: Sendable {
        @usableFromInline let a: Double
        @usableFromInline let b: Double
        @usableFromInline let aa: Double

        @inlinable
        init(period: Int) {
            a = Double(period - 1) / Double(period)
            b = 1 - a
            aa = a * a
        }

        /// The bar after the anchor: `a·anchor + b·tr`.
        @inlinable @inline(__always)
        func firstStep(from anchor: Double, _ move: Double) -> Double { move.addingProduct(a, anchor) }

        /// Two bars after it: `a²·anchor + (a·b·tr₁ + b·tr₂)`.
        @inlinable @inline(__always)
        func secondStep(from anchor: Double, _ firstMove: Double, _ move: Double) -> Double {
            move.addingProduct(a, firstMove).addingProduct(aa, anchor)
        }
    }

    @inlinable
    public var isReady: Bool { count >= period }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        update(high: bar.high, low: bar.low, close: bar.close) != nil
    }

    public func output(_ k: Int) -> Double { value }

    /// A kernel with the incremental update's exact arithmetic (true range, SMA seed, Wilder's
    /// step two bars at a time), state in locals; the tests hold it to the incremental form bit for
    /// bit.
    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        let n = p.int("period")
        let w = Weights(period: n)
        return bars.withUnsafeColumns { bar in
            [
                BatchColumns.single(bar.close.count) { out in
                    let count = bar.close.count
                    guard count > n else { return count }
                    // Indices stay within 1..<count (no overflow checks needed).
                    @inline(__always) func trueRange(_ i: Int) -> Double {
                        TrueRange.of(high: bar.high[i], low: bar.low[i], previousClose: bar.close[i &- 1])
                    }
                    var sum = 0.0
                    for i in 1...n { sum += trueRange(i) }
                    var anchor = sum / Double(n)
                    out[n] = anchor
                    var i = n + 1
                    while i &+ 1 < count {
                        let first = w.b * trueRange(i)
                        let second = w.b * trueRange(i &+ 1)
                        out[i] = w.firstStep(from: anchor, first)
                        anchor = w.secondStep(from: anchor, first, second)
                        out[i &+ 1] = anchor
                        i &+= 2
                    }
                    if i < count { out[i] = w.firstStep(from: anchor, w.b * trueRange(i)) }
                    return n
                }
            ]
        }
    }
}
