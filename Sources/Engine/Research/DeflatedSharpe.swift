/// A best trial's Sharpe ratio deflated for the search that found it (``SharpeInference``), with
/// every input it used, so that a report can say which number of trials and which variance of
/// their Sharpe ratios it assumed.
public struct DeflatedSharpe: Sendable, Equatable {
    /// The probability that the true Sharpe ratio exceeds `benchmark`: DSR = PSR(SR₀).
    public var value: Double
    /// SR₀, the Sharpe ratio the best of `trials` unskilled trials would show (per period).
    public var benchmark: Double
    /// The best trial's per-period Sharpe ratio.
    public var sharpe: Double
    /// The number of trials counted (N).
    public var trials: Int
    /// The variance of the trials' per-period Sharpe ratios (V).
    public var variance: Double
    /// The best trial's returns: how many, and their skewness and raw kurtosis.
    public var observations: Int
    public var skewness: Double
    public var kurtosis: Double

    public init(
        value: Double, benchmark: Double, sharpe: Double, trials: Int, variance: Double, observations: Int,
        skewness: Double, kurtosis: Double
    ) {
        self.value = value
        self.benchmark = benchmark
        self.sharpe = sharpe
        self.trials = trials
        self.variance = variance
        self.observations = observations
        self.skewness = skewness
        self.kurtosis = kurtosis
    }

    /// Whether the best result is too likely luck to trust (DSR below 0.95): shown in red.
    public var isSuspect: Bool { !(value >= 0.95) }
}
