/// What a sweep reports: its trials ranked by the objective, and beside the best one how likely
/// it is luck (docs/SWEEPS.md, "Overfitting statistics").
public struct SweepSummary: Sendable {
    /// Every trial that ran, best first (by the objective, then by index: the same order however
    /// the trials were scheduled); the trials that failed follow, by index.
    public var ranked: [TrialOutcome]
    /// N: every trial counted, failed ones included.
    public var trials: Int
    public var failed: Int
    /// The best trial's Deflated Sharpe Ratio against the search: N every trial, V the variance of
    /// the Sharpe ratios of those that ran.
    public var deflated: DeflatedSharpe?
    /// The best trial's Probabilistic Sharpe Ratio against zero.
    public var probabilisticSharpe: Double?
    /// PBO over the block sums of the trials that ran (nil with fewer than two, or too few bars).
    public var overfitting: OverfittingProbability?
    /// The minimum backtest length, in years, for N trials at the best trial's annualised Sharpe
    /// ratio, and the span of the data, in years.
    public var minimumBacktestYears: Double?
    public var dataYears: Double
    /// With walk-forward: the folds, each re-optimised on its train window, and the test windows joined.
    public var walkForward: WalkForwardSummary?

    /// `folds`: a walk-forward's (``WalkForward/folds(first:end:)``), over which the outcomes kept
    /// their segment sums.
    public init(
        outcomes: [TrialOutcome], objective: SweepObjective, dataYears: Double, folds: [WalkForward.Fold] = []
    ) {
        let ran = outcomes.filter { $0.statistics != nil }
        ranked =
            ran.sorted { a, b in
                let (x, y) = (objective.value(a.statistics!), objective.value(b.statistics!))
                if objective.isBetter(x, than: y) { return true }
                if objective.isBetter(y, than: x) { return false }
                return a.index < b.index
            } + outcomes.filter { $0.statistics == nil }.sorted { $0.index < $1.index }
        trials = outcomes.count
        failed = outcomes.count - ran.count
        self.dataYears = dataYears
        guard let best = ranked.first, best.statistics != nil else { return }
        if !folds.isEmpty {
            walkForward = WalkForwardSummary(
                outcomes: ran, folds: folds, objective: objective, startEquity: best.statistics!.initialEquity)
        }
        // N counts every trial; V and PBO read the trials that ran (a failed one has no returns).
        let sharpes = ran.map(\.moments.sharpe)
        let mean = sharpes.reduce(0, +) / Double(sharpes.count)
        let variance =
            sharpes.count > 1 ? sharpes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(sharpes.count - 1) : 0
        deflated = SharpeInference.deflatedSharpe(best: best.moments, trials: trials, sharpeVariance: variance)
        probabilisticSharpe = SharpeInference.probabilisticSharpe(
            best.moments.sharpe, benchmark: 0, observations: best.moments.count, skewness: best.moments.skewness,
            kurtosis: best.moments.kurtosis)
        // PBO needs two trials that ran, and bars in every block.
        let blocks = ran[0].blockCounts.count
        if ran.count >= 2, blocks >= 2, blocks % 2 == 0, blocks <= 32, ran[0].blockCounts.allSatisfy({ $0 >= 2 }),
            ran.allSatisfy({ $0.blockCounts == ran[0].blockCounts && $0.blockSums.count == blocks })
        {
            overfitting = BacktestOverfitting.probability(
                blockCounts: ran[0].blockCounts, sums: ran.flatMap(\.blockSums), squares: ran.flatMap(\.blockSquares))
        }
        let annual = best.statistics!.sharpe
        if annual > 0 {
            minimumBacktestYears = SharpeInference.minimumBacktestLength(trials: trials, targetSharpe: annual)
        }
    }
}
