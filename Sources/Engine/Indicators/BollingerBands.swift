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
    /// A kernel with the incremental update's exact arithmetic (``SMA`` then ``StdDev``'s rolling
    /// Welford with its resync every `period` values), state in locals and the window read from the
    /// input itself; the tests hold it to the incremental form bit for bit.
    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        let n = p.int("period")
        let up = p.double("nbdevup")
        let down = p.double("nbdevdn")
        let d = Double(n)
        let divisor = PeriodDivisor(n)
        let inverse = divisor.reciprocal  // 1 / period, as StdDev multiplies by
        return bars.close.withUnsafeBufferPointer { c in
            BatchColumns.make(3, c.count) { out in
                let upper = out[0]
                let middle = out[1]
                let lower = out[2]
                var partial = 0.0  // the SMA's sum of the newest n - 1 values
                var mean = 0.0
                var m2 = 0.0
                var sinceResync = 0
                for i in 0..<c.count {
                    let x = c[i]
                    if i < n - 1 {
                        partial += x
                    }
                    if i >= n {
                        let old = c[i - n]
                        sinceResync += 1
                        if sinceResync >= n {
                            sinceResync = 0
                            var sum = 0.0
                            for k in (i - n + 1)...i { sum += c[k] }
                            let average = sum / d
                            var squares = 0.0
                            for k in (i - n + 1)...i {
                                let e = c[k] - average
                                squares += e * e
                            }
                            mean = average
                            m2 = squares
                        } else {
                            let oldMean = mean
                            mean += (x - old) * inverse
                            m2 += (x - old) * (x - mean + old - oldMean)
                            if m2 < 0 { m2 = 0 }
                        }
                    } else {
                        let delta = x - mean
                        mean += delta / Double(i + 1)
                        m2 += delta * (x - mean)
                    }
                    guard i >= n - 1 else { continue }
                    let mid = divisor.divide(partial + x)
                    partial += x - c[i - n + 1]
                    let sd = (m2 * inverse).squareRoot()
                    middle[i] = mid
                    upper[i] = mid + up * sd
                    lower[i] = mid - down * sd
                }
                return min(c.count, n - 1)
            }
        }
    }
}
