/// Least-squares line through the last `period` closes, as TA-Lib computes it: `linreg` (the
/// line's value at the newest bar), `slope` and `intercept` (TA-Lib's `LINEARREG`,
/// `LINEARREG_SLOPE`, `LINEARREG_INTERCEPT`; the seed's Trend is the slope). The sums are kept
/// up to date in O(1) per bar and recomputed exactly, in TA-Lib's order, every `period` bars, so
/// rounding never accumulates (O(1) amortised).
public struct LinearRegression: Indicator {
    public let period: Int
    @usableFromInline var window: RingBuffer
    /// Σ y and Σ age·y over the window (age 0 = newest), TA-Lib's SumY and SumXY.
    @usableFromInline var sumY: Double = 0
    @usableFromInline var sumXY: Double = 0
    @usableFromInline var sinceResync: Int = 0
    @usableFromInline var _line: Double = .nan
    @usableFromInline var _slope: Double = .nan
    @usableFromInline var _intercept: Double = .nan
    public var line: Double { _line }
    public var slope: Double { _slope }
    public var intercept: Double { _intercept }

    public static let descriptor = IndicatorDescriptor(
        name: "linreg", summary: "Linear regression value, slope and intercept of the close.",
        parameters: [.period(14, min: 2)], outputs: ["linreg", "slope", "intercept"])

    public init(period: Int) {
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ y: Double) -> Bool {
        let n = Double(period)
        if let dropped = window.push(y) {
            sinceResync += 1
            if sinceResync >= period {
                sinceResync = 0
                sumY = 0
                sumXY = 0
                for age in stride(from: period - 1, through: 0, by: -1) {
                    let v = window[age: age]
                    sumY += v
                    sumXY += Double(age) * v
                }
            } else {
                // Every value ages by one; the one that left had age n - 1 before the shift.
                sumXY += sumY - dropped - (n - 1) * dropped
                sumY += y - dropped
            }
        } else {
            sumXY += sumY
            sumY += y
        }
        guard window.isFull else { return false }
        let sumX = n * (n - 1) * 0.5
        let sumXSquares = n * (n - 1) * (2 * n - 1) / 6
        let divisor = sumX * sumX - n * sumXSquares
        let m = (n * sumXY - sumX * sumY) / divisor
        let b = (sumY - m * sumX) / n
        _slope = m
        _intercept = b
        _line = b + m * (n - 1)
        return true
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) }

    public func output(_ k: Int) -> Double { k == 0 ? _line : k == 1 ? _slope : _intercept }
}
