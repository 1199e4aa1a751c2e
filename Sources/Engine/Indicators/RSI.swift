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
        guard let v = Self.step(x, previous: &previous, changes: &changes, gain: &gain, loss: &loss, period: period)
        else { return nil }
        _value = v
        return v
    }

    /// Feeds `x[from..<end]` while `quiet` holds for each value the RSI takes (bars where it has
    /// none are fed too), and returns the first index not fed: the one whose value `quiet`
    /// refused, its state left as before it. The state lives in locals meanwhile: the same
    /// arithmetic as ``update(_:)`` value by value (``Strategy/quietBars(_:from:to:positionSign:)``).
    @inlinable
    public mutating func feed(
        _ x: UnsafePointer<Double>, from: Int, to end: Int, while quiet: (Double) -> Bool
    ) -> Int {
        var (p, c, g, l, v) = (previous, changes, gain, loss, _value)
        var i = from
        while i < end {
            var (p2, c2, g2, l2) = (p, c, g, l)
            if let r = Self.step(x[i], previous: &p2, changes: &c2, gain: &g2, loss: &l2, period: period) {
                guard quiet(r) else { break }
                v = r
            }
            (p, c, g, l) = (p2, c2, g2, l2)
            i += 1
        }
        (previous, changes, gain, loss, _value) = (p, c, g, l, v)
        return i
    }

    /// One value's step over the state given (``update(_:)``'s arithmetic): the RSI after it, nil
    /// while it has none.
    @inlinable
    @inline(__always)
    static func step(
        _ x: Double, previous: inout Double, changes: inout Int, gain: inout Double, loss: inout Double, period: Int
    ) -> Double? {
        guard !previous.isNaN else {
            previous = x
            return nil
        }
        let diff = x - previous
        previous = x
        // Branch-free (up and down moves are a coin toss for the predictor); adding 0 changes no
        // bit, so this equals TA-Lib's `if diff < 0 { loss -= diff } else { gain += diff }`.
        let up = max(diff, 0)
        let down = max(-diff, 0)
        // TA-Lib 0.8 multiplies by 1/n rather than dividing by n. The smoothing's `avg·(n − 1) + move`
        // is one fused multiply-add (correctly rounded everywhere, so the same bits on every CPU):
        // the loop-carried chain is a fused multiply-add and a multiply, where TA-Lib's is a
        // multiply, an add and a multiply.
        let n = Double(period)
        let inverse = 1 / n
        if changes < period {
            loss += down
            gain += up
            changes += 1
            guard changes == period else { return nil }
            loss *= inverse
            gain *= inverse
        } else {
            loss = down.addingProduct(loss, n - 1) * inverse
            gain = up.addingProduct(gain, n - 1) * inverse
        }
        let total = gain + loss
        return Self.isZero(total) ? 0 : 100 * (gain / total)
    }

    /// TA-Lib's `TA_IS_ZERO`, which RSI and the directional movement system use.
    @inlinable
    static func isZero(_ v: Double) -> Bool { -0.00000001 < v && v < 0.00000001 }

    @inlinable
    public var isReady: Bool { changes >= period }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { value }

    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        [bars.close.withUnsafeBufferPointer { batch($0, period: p.int("period")) }]
    }

    /// The incremental update over a whole array (bit-identical to it by construction).
    public static func batch(_ x: UnsafeBufferPointer<Double>, period: Int) -> [Double] {
        BatchColumns.single(x.count) { out in
            var rsi = RSI(period: period)
            var first = x.count
            for i in 0..<x.count {
                if let v = rsi.update(x[i]) {
                    out[i] = v
                    if first == x.count { first = i }
                } else if first != x.count {
                    // After a NaN input the next bar has no value (the update starts from it).
                    out[i] = .nan
                }
            }
            return first
        }
    }
}
