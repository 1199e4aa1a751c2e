import ATSEngine

/// Example custom indicator: the typical price (high + low + close) / 3, smoothed by an SMA of
/// `period` bars (1: no smoothing).
public struct TypicalPrice: Indicator {
    var sma: SMA

    public static let descriptor = IndicatorDescriptor(
        name: "typical_price", summary: "Example custom indicator: SMA of (high + low + close) / 3.",
        parameters: [.int("period", default: 1, range: 1...100_000, "bars to average")], outputs: ["typical_price"])

    public init(parameters p: Parameters) throws(SpecError) { sma = SMA(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        sma.update((bar.high + bar.low + bar.close) / 3) != nil
    }

    public func output(_ k: Int) -> Double { sma.value }
}
