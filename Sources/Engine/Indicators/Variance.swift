/// Population variance of the close over `period` bars, as TA-Lib 0.8's `VAR` (nbdev 1): the same
/// rolling Welford update as ``StdDev`` (TA-Lib moved from `E[x²] − E[x]²` to a running variance,
/// which keeps the digits that subtraction loses). First value at `period − 1`.
public struct Variance: Indicator {
    @usableFromInline var spread: StdDev
    @usableFromInline var _value: Double = .nan
    public var value: Double { _value }

    public static let descriptor = IndicatorDescriptor(
        name: "var", summary: "Population variance of the close.", parameters: [.period(5)], outputs: ["var"])

    public init(period: Int) { spread = StdDev(period: period) }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard let v = spread.updateVariance(x) else { return nil }
        _value = v
        return v
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) != nil }
    public func output(_ k: Int) -> Double { _value }
}
