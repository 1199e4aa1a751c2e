/// Standard deviation of the close over a window (population, as TA-Lib's `STDDEV` with
/// `nbdev = 1`; the seed's Std). The variance is kept with a rolling Welford update, which stays
/// accurate where `E[x²] − E[x]²` loses digits, and is recomputed exactly (two passes over the
/// window) every `period` bars so rounding never accumulates: O(1) amortised, within a few ulps of
/// the exact value, as TA-Lib 0.8 is.
public struct StdDev: Indicator {
    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var mean: Double = 0
    @usableFromInline var m2: Double = 0
    @usableFromInline var sinceResync: Int = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "stddev", summary: "Population standard deviation of the close.", parameters: [.period(20, min: 2)],
        outputs: ["stddev"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    /// Feeds one value; returns the population variance once the window is full.
    @inlinable
    @discardableResult
    public mutating func updateVariance(_ x: Double) -> Double? {
        if let old = window.push(x) {
            sinceResync += 1
            if sinceResync >= period {
                resync()
            } else {
                // Multiplying by 1/period (not dividing): the divider is the bottleneck of a
                // Bollinger band, and the resync bounds the extra rounding.
                let oldMean = mean
                mean += (x - old) * (1 / Double(period))
                m2 += (x - old) * (x - mean + old - oldMean)
                if m2 < 0 { m2 = 0 }
            }
        } else {
            let delta = x - mean
            mean += delta / Double(window.count)
            m2 += delta * (x - mean)
        }
        return window.isFull ? m2 * (1 / Double(period)) : nil
    }

    /// Recomputes mean and sum of squared deviations from the window, oldest first.
    @usableFromInline
    mutating func resync() {
        sinceResync = 0
        var sum = 0.0
        window.forEachOldestFirst { sum += $0 }
        let average = sum / Double(period)
        var squares = 0.0
        window.forEachOldestFirst {
            let d = $0 - average
            squares += d * d
        }
        mean = average
        m2 = squares
    }

    /// The window's mean (valid once full).
    @inlinable
    public var windowMean: Double { mean }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard let variance = updateVariance(x) else { return nil }
        _value = variance.squareRoot()
        return value
    }

    @inlinable
    public var isReady: Bool { window.isFull }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { value }
}
