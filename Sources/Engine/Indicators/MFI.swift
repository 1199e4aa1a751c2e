/// Money flow index (TA-Lib's `MFI`): RSI-like ratio of positive to total money flow (typical
/// price × volume) over `period` bars; first value at `period`.
public struct MFI: Indicator {
    public let period: Int
    @usableFromInline var positive: RingBuffer
    @usableFromInline var negative: RingBuffer
    @usableFromInline var previousTypical: Double = .nan
    @usableFromInline var positiveSum: Double = 0
    @usableFromInline var negativeSum: Double = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "mfi", summary: "Money flow index.", parameters: [.period(14, min: 2)], outputs: ["mfi"])

    public init(period: Int) {
        self.period = period
        positive = RingBuffer(capacity: period)
        negative = RingBuffer(capacity: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        let typical = (bar.high + bar.low + bar.close) / 3.0
        guard !previousTypical.isNaN else {
            previousTypical = typical
            return false
        }
        let change = typical - previousTypical
        previousTypical = typical
        let flow = typical * bar.volume
        if positive.isFull {
            positiveSum -= positive.oldest
            negativeSum -= negative.oldest
        }
        let up = change > 0 ? flow : 0
        let down = change < 0 ? flow : 0
        positive.push(up)
        negative.push(down)
        positiveSum += up
        negativeSum += down
        guard positive.isFull else { return false }
        let total = positiveSum + negativeSum
        _value = total < 1.0 ? 0 : 100.0 * (positiveSum / total)
        return true
    }

    public func output(_ k: Int) -> Double { _value }
}
