import Foundation

/// How much a Sharpe ratio found by a search can be trusted: the Probabilistic Sharpe Ratio
/// (Bailey and López de Prado, 2012), the Sharpe ratio expected of the best of N unskilled trials,
/// the Deflated Sharpe Ratio (Bailey and López de Prado, 2014) and the minimum backtest length
/// (Bailey, Borwein, López de Prado and Zhu, 2014). Every Sharpe ratio here is per period (per
/// bar, per day: the period of the returns), never annualised, and the kurtosis is raw (3 for a
/// normal distribution).
public enum SharpeInference {
    /// The Euler–Mascheroni constant γ.
    static let eulerGamma = 0.577_215_664_901_532_9

    /// PSR(SR*): the probability that the true Sharpe ratio exceeds `benchmark`, given the
    /// `sharpe` measured over `observations` returns with that skewness and raw kurtosis:
    /// Φ((SR̂ − SR*)·√(T − 1) / √(1 − γ₃·SR̂ + (γ₄ − 1)/4·SR̂²)).
    public static func probabilisticSharpe(
        _ sharpe: Double, benchmark: Double, observations: Int, skewness: Double, kurtosis: Double
    ) -> Double {
        guard observations > 1 else { return 0.5 }
        let spread = 1 - skewness * sharpe + (kurtosis - 1) / 4 * sharpe * sharpe
        guard spread > 0 else { return sharpe > benchmark ? 1 : 0 }
        return NormalDistribution.cdf(
            (sharpe - benchmark) * Double(observations - 1).squareRoot() / spread.squareRoot())
    }

    /// E[max of N standard normals], approximately: (1 − γ)·Z⁻¹[1 − 1/N] + γ·Z⁻¹[1 − 1/(N·e)]
    /// (0 for a single trial). N = 10 gives 1.5746, 100 gives 2.5306, 1,000 gives 3.2551.
    public static func expectedMaximumFactor(trials: Int) -> Double {
        guard trials > 1 else { return 0 }
        let n = Double(trials)
        return (1 - eulerGamma) * NormalDistribution.quantile(1 - 1 / n)
            + eulerGamma * NormalDistribution.quantile(1 - 1 / (n * M_E))
    }

    /// SR₀: the Sharpe ratio the best of `trials` unskilled trials would show when their Sharpe
    /// ratios vary with `variance` around zero.
    public static func expectedMaximumSharpe(trials: Int, variance: Double) -> Double {
        max(variance, 0).squareRoot() * expectedMaximumFactor(trials: trials)
    }

    /// The Deflated Sharpe Ratio of a best trial: PSR against SR₀ of the search.
    public static func deflatedSharpe(
        best moments: ReturnMoments, trials: Int, sharpeVariance variance: Double
    ) -> DeflatedSharpe {
        deflatedSharpe(
            sharpe: moments.sharpe, observations: moments.count, skewness: moments.skewness,
            kurtosis: moments.kurtosis, trials: trials, sharpeVariance: variance)
    }

    /// The Deflated Sharpe Ratio from the best trial's statistics.
    public static func deflatedSharpe(
        sharpe: Double, observations: Int, skewness: Double, kurtosis: Double, trials: Int,
        sharpeVariance variance: Double
    ) -> DeflatedSharpe {
        let benchmark = expectedMaximumSharpe(trials: trials, variance: variance)
        return DeflatedSharpe(
            value: probabilisticSharpe(
                sharpe, benchmark: benchmark, observations: observations, skewness: skewness, kurtosis: kurtosis),
            benchmark: benchmark, sharpe: sharpe, trials: trials, variance: variance, observations: observations,
            skewness: skewness, kurtosis: kurtosis)
    }

    /// The minimum backtest length, in years, below which the best of `trials` unskilled trials is
    /// expected to reach an annualised Sharpe ratio of `targetSharpe`: (E[max]/E)². 45 trials and a
    /// target of 1 need about 5 years; it is at most 2·ln N / E².
    public static func minimumBacktestLength(trials: Int, targetSharpe: Double) -> Double {
        let factor = expectedMaximumFactor(trials: trials)
        return factor * factor / (targetSharpe * targetSharpe)
    }
}
