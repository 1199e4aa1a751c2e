/// Triangular moving average, as TA-Lib's `TRIMA`: an SMA of an SMA whose periods add up to
/// `period + 1` (`(n+1)/2` twice when `n` is odd; `n/2` then `n/2 + 1` when even), so the weights
/// rise linearly to the middle of the window and fall again. First value at index `period − 1`.
public struct TRIMA: Indicator {
    public let period: Int
    @usableFromInline var inner: SMA
    @usableFromInline var outer: SMA
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "trima", summary: "Triangular moving average of the close.", parameters: [.period(30)],
        outputs: ["trima"])

    public init(period: Int) {
        precondition(period >= 1)
        self.period = period
        let half = period / 2
        inner = SMA(period: period % 2 == 1 ? half + 1 : half)
        outer = SMA(period: half + 1)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard let a = inner.update(x), let b = outer.update(a) else { return nil }
        _value = b
        return value
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }

    public func output(_ k: Int) -> Double { value }
}
