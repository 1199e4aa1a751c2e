/// SuperTrend (the seed has it): bands at (high + low) / 2 ± `multiplier` × ATR that only tighten
/// while the trend lasts; the trend turns up when the close breaks the upper band and down when it
/// breaks the lower one. Outputs the active band (the stop line) and the direction (+1 / −1).
public struct SuperTrend: Indicator {
    @usableFromInline var atr: ATR
    public let multiplier: Double
    @usableFromInline var upper: Double = .nan
    @usableFromInline var lower: Double = .nan
    @usableFromInline var previousClose: Double = .nan
    public private(set) var direction: Double = .nan
    public private(set) var line: Double = .nan

    public static let descriptor = IndicatorDescriptor(
        name: "supertrend", summary: "SuperTrend line and direction.",
        parameters: [.period(10), .double("multiplier", default: 3, range: 0.1...100, "ATR multiples")],
        outputs: ["supertrend", "direction"])

    public init(period: Int, multiplier: Double) {
        atr = ATR(period: period)
        self.multiplier = multiplier
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(period: p.int("period"), multiplier: p.double("multiplier"))
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        defer { previousClose = bar.close }
        guard let a = atr.update(high: bar.high, low: bar.low, close: bar.close) else { return false }
        let mid = (bar.high + bar.low) / 2
        let basicUpper = mid + multiplier * a
        let basicLower = mid - multiplier * a
        if upper.isNaN {
            upper = basicUpper
            lower = basicLower
            direction = bar.close >= mid ? 1 : -1
        } else {
            upper = basicUpper < upper || previousClose > upper ? basicUpper : upper
            lower = basicLower > lower || previousClose < lower ? basicLower : lower
            if direction < 0 && bar.close > upper {
                direction = 1
            } else if direction > 0 && bar.close < lower {
                direction = -1
            }
        }
        line = direction > 0 ? lower : upper
        return true
    }

    public func output(_ k: Int) -> Double { k == 0 ? line : direction }
}
