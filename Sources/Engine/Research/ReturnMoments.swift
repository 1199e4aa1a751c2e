/// What the Sharpe statistics need of a series of per-period returns: its length, mean, sample
/// standard deviation, skewness and (raw, not excess) kurtosis. The skewness and kurtosis are the
/// population moments over the population standard deviation, as in Bailey and López de Prado
/// (and `scipy.stats.skew` / `kurtosis(fisher=False)`); the Sharpe ratio is per period, not
/// annualised: the mean over the sample standard deviation.
public struct ReturnMoments: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var standardDeviation: Double
    public var skewness: Double
    public var kurtosis: Double

    public init(count: Int, mean: Double, standardDeviation: Double, skewness: Double, kurtosis: Double) {
        self.count = count
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.skewness = skewness
        self.kurtosis = kurtosis
    }

    /// The moments of `returns` (two passes: the mean first, then the centred sums). A constant
    /// series has no spread: skewness 0 and kurtosis 3, as a normal's, so that it changes nothing.
    public init<C: Collection>(returns: C) where C.Element == Double {
        let n = returns.count
        var sum = 0.0
        for r in returns { sum += r }
        let mean = sum / Double(n)
        var (m2, m3, m4) = (0.0, 0.0, 0.0)
        for r in returns {
            let d = r - mean
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        }
        self.init(count: n, sum: sum, m2: m2, m3: m3, m4: m4)
    }

    /// From `count` returns' sum and their centred sums of squares, cubes and fourth powers (the
    /// mean subtracted as `sum / count`).
    public init(count n: Int, sum: Double, m2: Double, m3: Double, m4: Double) {
        count = n
        guard n > 0 else {
            (mean, standardDeviation, skewness, kurtosis) = (0, 0, 0, 3)
            return
        }
        mean = sum / Double(n)
        standardDeviation = n > 1 ? (m2 / Double(n - 1)).squareRoot() : 0
        let variance = m2 / Double(n)
        if variance > 0 {
            skewness = (m3 / Double(n)) / (variance * variance.squareRoot())
            kurtosis = (m4 / Double(n)) / (variance * variance)
        } else {
            skewness = 0
            kurtosis = 3
        }
    }

    /// The per-period Sharpe ratio: mean over sample standard deviation; 0 without spread.
    public var sharpe: Double { standardDeviation > 0 ? mean / standardDeviation : 0 }
}
