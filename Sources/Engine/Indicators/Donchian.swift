/// Donchian channel: highest high and lowest low over `period` bars, and their midpoint.
public struct Donchian: Indicator {
    @usableFromInline var highs: MonotonicWindow
    @usableFromInline var lows: MonotonicWindow
    public private(set) var upper: Double = .nan
    public private(set) var lower: Double = .nan

    public static let descriptor = IndicatorDescriptor(
        name: "donchian", summary: "Donchian channel (highest high, lowest low, midpoint).", parameters: [.period(20)],
        outputs: ["upper", "middle", "lower"])

    public init(period: Int) {
        highs = MonotonicWindow(period: period, max: true)
        lows = MonotonicWindow(period: period, max: false)
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        let h = highs.update(bar.high)
        guard let l = lows.update(bar.low), let h else { return false }
        upper = h
        lower = l
        return true
    }

    public func output(_ k: Int) -> Double { k == 0 ? upper : k == 1 ? (upper + lower) / 2 : lower }
}
