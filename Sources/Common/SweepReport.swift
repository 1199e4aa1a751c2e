import ATSEngine
import Foundation

/// A sweep's leaderboard and what its best result is worth (`ats sweep run --json`, `GET
/// /api/sweeps/{sweep}`): the best trials, the statistics beside the best one, the failures.
public struct SweepReport: Sendable, Codable {
    public struct Trial: Sendable, Codable {
        public var trial: Int
        public var parameters: [String: ParameterValue]
        public var objective: Double
        public var statistics: BacktestStatistics
    }
    public struct Deflated: Sendable, Codable {
        public var value: Double
        public var benchmark_sharpe: Double
        public var sharpe: Double
        public var trials: Int
        public var sharpe_variance: Double
        public var observations: Int
        public var skewness: Double
        public var kurtosis: Double
        public var suspect: Bool

        public init(_ d: DeflatedSharpe) {
            value = d.value
            benchmark_sharpe = d.benchmark
            sharpe = d.sharpe
            trials = d.trials
            sharpe_variance = d.variance
            observations = d.observations
            skewness = d.skewness
            kurtosis = d.kurtosis
            suspect = d.isSuspect
        }
    }
    /// The best trial deflated by the trader's whole search on this strategy and data (the
    /// research ledger: every trial of every sweep, removed ones included), beside this sweep's.
    public struct Ledger: Sendable, Codable {
        public var sweeps: Int
        public var trials: Int
        public var deflated_sharpe: Deflated

        public init(sweeps: Int, trials: Int, deflated: DeflatedSharpe) {
            self.sweeps = sweeps
            self.trials = trials
            deflated_sharpe = Deflated(deflated)
        }
    }
    public struct Overfitting: Sendable, Codable {
        public var probability: Double
        public var blocks: Int
        public var combinations: Int
        /// The trials ranked (a fixed sample of 10,000 when more ran; with early stopping, the pilots).
        public var trials: Int
        public var suspect: Bool
    }
    public var objective: String
    /// The searched parameters, in the order they were given.
    public var names: [String]
    public var trials: Int
    public var failed: Int
    public var bars: Int
    public var seconds: Double
    public var top: [Trial]
    public var deflated_sharpe: Deflated?
    public var probabilistic_sharpe: Double?
    public var overfitting: Overfitting?
    public var minimum_backtest_years: Double?
    public var data_years: Double
    /// With walk-forward: each fold's choice and its test window, and the test windows joined.
    public var walk_forward: WalkForwardReport?
    /// On the cluster: the best trial deflated by every trial of the research ledger.
    public var research_ledger: Ledger?
    /// Why trials failed, and how many each reason, most frequent first.
    public var failures: [Failure]
    /// On the cluster: the software versions the chunks ran on, when more than one (a rolling
    /// upgrade mixed engines in this leaderboard: its trials may not be comparable).
    public var mixed_engines: [Engine]?

    public struct Engine: Sendable, Codable {
        public var engine: String
        public var chunks: Int

        public init(engine: String, chunks: Int) {
            self.engine = engine
            self.chunks = chunks
        }
    }

    public struct Failure: Sendable, Codable {
        public var reason: String
        public var trials: Int
    }

    public init(
        summary: SweepSummary, names: [String], objective: SweepObjective, top count: Int, seconds: Double,
        bars: Int
    ) {
        self.names = names
        failures = summary.failures.map { Failure(reason: $0.reason, trials: $0.trials) }
        self.objective = objective.description
        trials = summary.trials
        failed = summary.failed
        self.bars = bars
        self.seconds = seconds
        top = summary.ranked.prefix(count).compactMap { t in
            t.statistics.map {
                Trial(trial: t.index, parameters: t.parameters, objective: objective.value($0), statistics: $0)
            }
        }
        deflated_sharpe = summary.deflated.map(Deflated.init)
        probabilistic_sharpe = summary.probabilisticSharpe
        overfitting = summary.overfitting.map {
            Overfitting(
                probability: $0.probability, blocks: $0.blocks, combinations: $0.combinations, trials: $0.trials,
                suspect: $0.isSuspect)
        }
        minimum_backtest_years = summary.minimumBacktestYears
        data_years = summary.dataYears
        walk_forward = summary.walkForward.map(WalkForwardReport.init)
    }
}
