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

    /// Why trials did not run (failed, or stopped early) and how many each reason, most first.
    public var failures: [(reason: String, trials: Int)]

    /// `folds`: a walk-forward's (``WalkForward/folds(first:end:)``), over which the outcomes kept
    /// their segment sums. Every trial ranked (the failed ones after, by index).
    public init(
        outcomes: [TrialOutcome], objective: SweepObjective, dataYears: Double, folds: [WalkForward.Fold] = []
    ) {
        var accumulator = Accumulator(
            objective: objective, keep: outcomes.count, folds: folds, plannedTrials: outcomes.count, keepFailed: true)
        for o in outcomes { accumulator.add(o) }
        self = accumulator.summary(dataYears: dataYears)
    }

    /// A summary built trial by trial, in any order, holding only what the report shows: the best
    /// `keep` trials, counts and exact sums across trials (``ExactSum``: the same bits whatever
    /// the order), per fold the trial chosen so far, and the block sums of a fixed sample of at
    /// most ``pboSample`` trials for PBO (every trial when the sweep plans no more; otherwise
    /// the trials a hash of their number picks, the same ones wherever they ran). A million
    /// trials' report holds a few megabytes.
    public struct Accumulator: Sendable {
        /// The most trials PBO ranks (12,870 splits each: about a second on two cores).
        public static let pboSample = 10_000

        let objective: SweepObjective
        let keep: Int
        let keepFailed: Bool
        /// A trial is in PBO's sample when the hash of its number is at most this.
        let sampleBelow: UInt64
        var ranked: [TrialOutcome] = []
        var failedKept: [TrialOutcome] = []
        var trials = 0
        var failed = 0
        var reasons: [String: Int] = [:]
        var ran = 0
        var sharpeSum = ExactSum()
        var sharpeSquares = ExactSum()
        var nonFinite = false
        var sample: [TrialOutcome] = []
        var blockCounts: [Double]?
        var blocksAgree = true
        var walk: WalkForwardSummary.Accumulator?
        /// Early stopping: V and PBO read the pilots alone (the other trials that ran were chosen by
        /// their first folds, a sample that would understate both).
        let spreadFrom: EarlyStop.Pilots?

        /// `plannedTrials`: the sweep's trials (PBO samples when more than ``pboSample``).
        public init(
            objective: SweepObjective, keep: Int, folds: [WalkForward.Fold] = [], plannedTrials: Int,
            keepFailed: Bool = false, spreadFrom pilots: EarlyStop.Pilots? = nil
        ) {
            spreadFrom = pilots
            self.objective = objective
            self.keep = max(1, keep)
            self.keepFailed = keepFailed
            sampleBelow =
                plannedTrials <= Self.pboSample
                ? .max : UInt64(Double(UInt64.max) * (Double(Self.pboSample) / Double(plannedTrials)))
            walk = folds.isEmpty ? nil : WalkForwardSummary.Accumulator(folds: folds, objective: objective)
        }

        /// Whether trial `index` is in PBO's sample (without early stopping).
        func sampled(_ index: Int) -> Bool {
            sampleBelow == .max
                || SplitMix64.mix(UInt64(truncatingIfNeeded: index) ^ 0x5042_4F5F_7361_6D70) <= sampleBelow
        }

        /// Whether `a` ranks before `b`: by the objective, then by number.
        func before(_ a: TrialOutcome, _ b: TrialOutcome) -> Bool {
            let (x, y) = (objective.value(a.statistics!), objective.value(b.statistics!))
            if objective.isBetter(x, than: y) { return true }
            if objective.isBetter(y, than: x) { return false }
            return a.index < b.index
        }

        public mutating func add(_ o: TrialOutcome) {
            trials += 1
            guard o.statistics != nil else {
                failed += 1
                if let reason = o.failure {
                    // Distinct reasons kept up to a bound (a reason quoting each trial's values).
                    if reasons[reason] != nil || reasons.count < 1_000 {
                        reasons[reason, default: 0] += 1
                    } else {
                        reasons["other reasons", default: 0] += 1
                    }
                }
                if keepFailed { failedKept.append(o) }
                return
            }
            let spread = spreadFrom?.contains(o.index) ?? true
            if spread {
                ran += 1
                let sharpe = o.moments.sharpe
                if sharpe.isFinite {
                    sharpeSum.add(sharpe)
                    sharpeSquares.add(sharpe * sharpe)
                } else {
                    nonFinite = true
                }
            }
            if ranked.count < keep || before(o, ranked[ranked.count - 1]) {
                ranked.insert(o, at: PartitionPoint.first(in: ranked.count) { !before(ranked[$0], o) })
                if ranked.count > keep { ranked.removeLast() }
            }
            if let counts = blockCounts {
                if counts != o.blockCounts || o.blockSums.count != counts.count { blocksAgree = false }
            } else {
                blockCounts = o.blockCounts
            }
            if spread && (spreadFrom != nil || sampled(o.index)) {
                var kept = o
                kept.segments = []
                kept.parameters = [:]
                sample.append(kept)
            }
            walk?.add(o)
        }

        public func summary(dataYears: Double) -> SweepSummary {
            SweepSummary(self, dataYears: dataYears)
        }
    }

    init(_ a: Accumulator, dataYears: Double) {
        ranked = a.ranked + a.failedKept.sorted { $0.index < $1.index }
        trials = a.trials
        failed = a.failed
        failures = a.reasons.map { ($0.key, $0.value) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        self.dataYears = dataYears
        guard let best = a.ranked.first, best.statistics != nil else { return }
        walkForward = a.walk?.summary(startEquity: best.statistics!.initialEquity)
        // N counts every trial; V and PBO read the trials that ran (a failed one has no returns;
        // with early stopping, the pilots that ran).
        let n = Double(a.ran)
        let variance =
            a.nonFinite
            ? .nan
            : a.ran > 1
                ? max(0, (a.sharpeSquares.value - a.sharpeSum.value * a.sharpeSum.value / n) / (n - 1)) : 0
        deflated = SharpeInference.deflatedSharpe(best: best.moments, trials: trials, sharpeVariance: variance)
        probabilisticSharpe = SharpeInference.probabilisticSharpe(
            best.moments.sharpe, benchmark: 0, observations: best.moments.count, skewness: best.moments.skewness,
            kurtosis: best.moments.kurtosis)
        // PBO needs two trials that ran, and bars in every block (over the sample, by number).
        let sample = a.sample.sorted { $0.index < $1.index }
        if let counts = a.blockCounts, a.blocksAgree, sample.count >= 2, counts.count >= 2, counts.count % 2 == 0,
            counts.count <= 32, counts.allSatisfy({ $0 >= 2 })
        {
            overfitting = BacktestOverfitting.probability(
                blockCounts: counts, sums: sample.flatMap(\.blockSums), squares: sample.flatMap(\.blockSquares))
        }
        let annual = best.statistics!.sharpe
        if annual > 0 {
            minimumBacktestYears = SharpeInference.minimumBacktestLength(trials: trials, targetSharpe: annual)
        }
    }
}
