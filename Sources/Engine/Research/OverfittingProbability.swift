/// The Probability of Backtest Overfitting of a search (``BacktestOverfitting``): the share of
/// the ways to split its periods in two halves where the trial that was best in one half ranks
/// in the lower half of the other.
public struct OverfittingProbability: Sendable, Equatable {
    /// PBO, between 0 and 1.
    public var probability: Double
    /// How many splits were tried: C(S, S/2).
    public var combinations: Int
    /// S, the number of blocks the periods were cut into.
    public var blocks: Int
    /// N, the number of trials ranked.
    public var trials: Int
    /// λ = ln(ω / (1 − ω)) of each split, in the order the splits were tried, where ω is the
    /// out-of-sample rank of the in-sample best over N + 1 (λ ≤ 0: it did no better than the median).
    public var logits: [Double]

    public init(probability: Double, combinations: Int, blocks: Int, trials: Int, logits: [Double]) {
        self.probability = probability
        self.combinations = combinations
        self.blocks = blocks
        self.trials = trials
        self.logits = logits
    }

    /// Whether the best result more likely than not owes its rank to overfitting: shown in red.
    public var isSuspect: Bool { probability > 0.5 }
}
