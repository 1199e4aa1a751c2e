/// The seed's Candle: aggregates every `size` bars into one candle (first open, highest high,
/// lowest low, last close, summed volume). Outputs the last completed candle.
public struct CandleAggregate: Indicator {
    public let size: Int
    @usableFromInline var count = 0
    @usableFromInline var building = Bar(time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0)
    public private(set) var candle = Bar(time: 0, open: .nan, high: .nan, low: .nan, close: .nan, volume: .nan)

    public static let descriptor = IndicatorDescriptor(
        name: "candle", summary: "Aggregates every N bars into one candle.",
        parameters: [.int("size", default: 5, range: 1...100_000, "bars per candle")],
        outputs: ["open", "high", "low", "close", "volume"])

    public init(size: Int) { self.size = size }
    public init(parameters p: Parameters) throws(SpecError) { self.init(size: p.int("size")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        if count == 0 {
            building = bar
        } else {
            building.high = max(building.high, bar.high)
            building.low = min(building.low, bar.low)
            building.close = bar.close
            building.volume += bar.volume
            building.buyVolume += bar.buyVolume
            building.sellVolume += bar.sellVolume
        }
        count += 1
        if count == size {
            candle = building
            count = 0
        }
        return !candle.open.isNaN
    }

    public func output(_ k: Int) -> Double {
        switch k {
        case 0: candle.open
        case 1: candle.high
        case 2: candle.low
        case 3: candle.close
        default: candle.volume
        }
    }
}
