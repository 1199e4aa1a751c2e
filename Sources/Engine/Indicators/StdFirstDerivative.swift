/// The seed's StdFirstDer: population standard deviation of the bar-to-bar change of the close
/// over `period` changes.
public struct StdFirstDerivative: Indicator {
    @usableFromInline var spread: StdDev
    @usableFromInline var previous: Double = .nan
    public private(set) var value: Double = .nan

    public static let descriptor = IndicatorDescriptor(
        name: "std_first_der", summary: "Standard deviation of the close's first difference.",
        parameters: [.period(20, min: 2)], outputs: ["std_first_der"])

    public init(period: Int) { spread = StdDev(period: period) }
    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        defer { previous = bar.close }
        guard !previous.isNaN, let s = spread.update(bar.close - previous) else { return false }
        value = s
        return true
    }

    public func output(_ k: Int) -> Double { value }
}
