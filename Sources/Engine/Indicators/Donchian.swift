/// Donchian channel: highest high and lowest low over `period` bars, and their midpoint.
public struct Donchian: Indicator {
    @usableFromInline var range: PriceRange
    public private(set) var upper: Double = .nan
    public private(set) var lower: Double = .nan

    public static let descriptor = IndicatorDescriptor(
        name: "donchian", summary: "Donchian channel (highest high, lowest low, midpoint).", parameters: [.period(20)],
        outputs: ["upper", "middle", "lower"])

    public init(period: Int) { range = PriceRange(period: period) }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        guard let (h, l) = range.update(high: bar.high, low: bar.low) else { return false }
        upper = h
        lower = l
        return true
    }

    public func output(_ k: Int) -> Double { k == 0 ? upper : k == 1 ? (upper + lower) / 2 : lower }
}
