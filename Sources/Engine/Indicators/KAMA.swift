/// Kaufman adaptive moving average, as TA-Lib 0.8 computes it: an EMA whose smoothing constant
/// follows the efficiency ratio `|x − x[−n]| / Σ|Δx|` over `period` bars, between the constants of
/// a 2-bar and a 30-bar EMA, squared. First value at index `period`, seeded with the previous
/// close. A window of `period` unchanged prices counts as flat (ratio 1) exactly, with no fixed
/// tolerance, so instruments quoted in tiny units adapt like any other. Period 1 is the input.
public struct KAMA: Indicator {
    public let period: Int
    /// The last `period + 1` inputs.
    @usableFromInline var window: RingBuffer
    @usableFromInline var seen: Int = 0
    /// Σ|Δx| over the window, and how many of the latest changes were exactly zero.
    @usableFromInline var sumChanges: Double = 0
    @usableFromInline var unchangedRun: Int = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    @usableFromInline static let slowest = 2.0 / (30.0 + 1.0)
    @usableFromInline static let span = 2.0 / (2.0 + 1.0) - slowest

    public static let descriptor = IndicatorDescriptor(
        name: "kama", summary: "Kaufman adaptive moving average of the close.", parameters: [.period(30)],
        outputs: ["kama"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        window = RingBuffer(capacity: period + 1)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        let i = seen
        seen += 1
        guard period > 1 else {
            _value = x
            return value
        }
        defer { window.push(x) }
        guard i > 0 else { return nil }
        let last = window[age: 0]
        let change = last - x
        let periodChange: Double
        if i <= period {
            sumChanges += abs(change)
            unchangedRun = change == 0 ? unchangedRun + 1 : 0
            guard i == period else { return nil }
            _value = last
            periodChange = x - window[age: period - 1]
        } else {
            let trailing = window[age: period - 1]
            periodChange = x - trailing
            sumChanges -= abs(window[age: period] - trailing)
            sumChanges += abs(x - last)
            unchangedRun = x - last == 0 ? unchangedRun + 1 : 0
            if unchangedRun >= period {
                // A whole flat window: the sum is exactly zero, whatever rounding residue it holds.
                unchangedRun = period
                sumChanges = 0
            }
        }
        let efficiency = sumChanges <= 0 || sumChanges <= periodChange ? 1.0 : abs(periodChange / sumChanges)
        var smoothing = efficiency * Self.span + Self.slowest
        smoothing *= smoothing
        _value = (x - _value) * smoothing + _value
        return value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { value }
}
