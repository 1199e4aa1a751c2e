/// Bollinger Bands: the SMA of the close ± `deviations` population standard deviations, as
/// TA-Lib's `BBANDS` with a simple moving average.
public struct BollingerBands: Indicator {
    public let deviationsUp: Double
    public let deviationsDown: Double
    @usableFromInline var sma: SMA
    @usableFromInline var spread: StdDev
    @usableFromInline var _upper: Double = .nan
    public var upper: Double { _upper }
    @usableFromInline var _middle: Double = .nan
    public var middle: Double { _middle }
    @usableFromInline var _lower: Double = .nan
    public var lower: Double { _lower }

    public static let descriptor = IndicatorDescriptor(
        name: "bbands", summary: "Bollinger Bands around the SMA of the close.",
        parameters: [
            .period(20, min: 2),
            .double("nbdevup", default: 2, range: 0...100, "standard deviations above"),
            .double("nbdevdn", default: 2, range: 0...100, "standard deviations below"),
        ], outputs: ["upper", "middle", "lower"])

    public init(period: Int, deviationsUp: Double = 2, deviationsDown: Double = 2) {
        sma = SMA(period: period)
        spread = StdDev(period: period)
        self.deviationsUp = deviationsUp
        self.deviationsDown = deviationsDown
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(period: p.int("period"), deviationsUp: p.double("nbdevup"), deviationsDown: p.double("nbdevdn"))
    }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Bool {
        let mid = sma.update(x)
        guard let sd = spread.update(x), let mid else { return false }
        _middle = mid
        _upper = mid + deviationsUp * sd
        _lower = mid - deviationsDown * sd
        return true
    }

    @inlinable
    public var isReady: Bool { sma.isReady }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) }

    public func output(_ k: Int) -> Double { k == 0 ? upper : k == 1 ? middle : lower }

    /// The incremental update in a tight loop over the closes (bit-identical to it).
    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        var bands = try BollingerBands(parameters: p)
        return bars.close.withUnsafeBufferPointer { c in
            BatchColumns.make(3, c.count) { out in
                var first = c.count
                for i in 0..<c.count where bands.update(c[i]) {
                    out[0][i] = bands._upper
                    out[1][i] = bands._middle
                    out[2][i] = bands._lower
                    if first == c.count { first = i }
                }
                return first
            }
        }
    }
}
