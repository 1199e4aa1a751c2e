/// Linearly weighted moving average of the close (the seed's Mean in WMA mode), as TA-Lib's `WMA`:
/// weights 1…n (newest heaviest), a running weighted sum, first value at index `period - 1`.
public struct WMA: Indicator {
    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var weightedSum: Double = 0
    @usableFromInline var plainSum: Double = 0
    @usableFromInline var seen: Int = 0
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "wma", summary: "Linearly weighted moving average of the close.", parameters: [.period(30)],
        outputs: ["wma"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        let n = Double(period)
        if seen < period - 1 {
            seen += 1
            window.push(x)
            weightedSum += x * Double(seen)
            plainSum += x
            return nil
        }
        // TA-Lib's order: add the new value, drop the trailing one, output, then shift the weights.
        let trailing = window.count == period ? window.oldest : 0
        window.push(x)
        seen = period
        plainSum += x
        plainSum -= trailing
        weightedSum += x * n
        _value = weightedSum / (n * (n + 1) / 2)
        weightedSum -= plainSum
        return _value
    }

    @inlinable
    public var isReady: Bool { seen >= period }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { _value }
}
