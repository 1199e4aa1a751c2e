/// Commodity channel index (TA-Lib's `CCI`): `(tp − SMA(tp)) / (0.015 · mean |tp − SMA(tp)|)` with
/// tp = (high + low + close) / 3. The mean absolute deviation has no constant-time update, so this
/// one indicator costs O(period) per bar, as in TA-Lib.
public struct CCI: Indicator {
    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "cci", summary: "Commodity channel index.", parameters: [.period(14, min: 2)], outputs: ["cci"])

    public init(period: Int) {
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        let typical = (bar.high + bar.low + bar.close) / 3
        window.push(typical)
        guard window.isFull else { return false }
        let n = Double(period)
        var sum = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) { sum += window[age: age] }
        let average = sum / n
        var deviation = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) { deviation += abs(window[age: age] - average) }
        let distance = typical - average
        _value = distance != 0 && deviation != 0 ? distance / (0.015 * (deviation / n)) : 0
        return true
    }

    public func output(_ k: Int) -> Double { _value }
}
