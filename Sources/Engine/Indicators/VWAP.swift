/// Volume-weighted average price of the typical price (high + low + close) / 3: anchored to the UTC
/// day (reset at midnight, as trading desks use it) when `period` is 0, else over the last
/// `period` bars.
public struct VWAP: Indicator {
    public let period: Int
    @usableFromInline var priceVolume: RingBuffer?
    @usableFromInline var volumes: RingBuffer?
    @usableFromInline var sumPV: Double = 0
    @usableFromInline var sumV: Double = 0
    @usableFromInline var day: Int64 = .min
    public private(set) var value: Double = .nan

    public static let descriptor = IndicatorDescriptor(
        name: "vwap", summary: "Volume-weighted average price, daily-anchored (period 0) or rolling.",
        parameters: [.int("period", default: 0, range: 0...100_000, "rolling bars; 0 anchors to the UTC day")],
        outputs: ["vwap"])

    public init(period: Int) {
        self.period = period
        if period > 0 {
            priceVolume = RingBuffer(capacity: period)
            volumes = RingBuffer(capacity: period)
        }
    }

    public init(parameters p: Parameters) throws(SpecError) { self.init(period: p.int("period")) }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        let pv = (bar.high + bar.low + bar.close) / 3 * bar.volume
        if period == 0 {
            let today = bar.time >= 0 ? bar.time / 86_400_000 : (bar.time - 86_399_999) / 86_400_000
            if today != day {
                day = today
                sumPV = 0
                sumV = 0
            }
            sumPV += pv
            sumV += bar.volume
        } else {
            if let old = priceVolume!.push(pv) { sumPV -= old }
            if let old = volumes!.push(bar.volume) { sumV -= old }
            sumPV += pv
            sumV += bar.volume
            guard volumes!.isFull else { return false }
        }
        value = sumV > 0 ? sumPV / sumV : (bar.high + bar.low + bar.close) / 3
        return true
    }

    public func output(_ k: Int) -> Double { value }
}
