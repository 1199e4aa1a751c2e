import ATSEngine
import Foundation

/// `ats sweep run --json`: the best trials and the statistics beside the best one.
struct SweepRunReport: Encodable {
    struct Trial: Encodable {
        var trial: Int
        var parameters: [String: ParameterValue]
        var objective: Double
        var statistics: BacktestStatistics
    }
    struct Deflated: Encodable {
        var value: Double
        var benchmark_sharpe: Double
        var sharpe: Double
        var trials: Int
        var sharpe_variance: Double
        var observations: Int
        var skewness: Double
        var kurtosis: Double
        var suspect: Bool
    }
    struct Overfitting: Encodable {
        var probability: Double
        var blocks: Int
        var combinations: Int
        var suspect: Bool
    }
    var objective: String
    var trials: Int
    var failed: Int
    var bars: Int
    var seconds: Double
    var top: [Trial]
    var deflated_sharpe: Deflated?
    var probabilistic_sharpe: Double?
    var overfitting: Overfitting?
    var minimum_backtest_years: Double?
    var data_years: Double
    /// Why trials failed, and how many each reason, most frequent first.
    var failures: [Failure]

    struct Failure: Encodable {
        var reason: String
        var trials: Int
    }

    init(
        summary: SweepSummary, objective: SweepObjective, top count: Int, seconds: Double, bars: Int,
        failures: [(String, Int)]
    ) {
        self.failures = failures.map { Failure(reason: $0.0, trials: $0.1) }
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
        deflated_sharpe = summary.deflated.map {
            Deflated(
                value: $0.value, benchmark_sharpe: $0.benchmark, sharpe: $0.sharpe, trials: $0.trials,
                sharpe_variance: $0.variance, observations: $0.observations, skewness: $0.skewness,
                kurtosis: $0.kurtosis, suspect: $0.isSuspect)
        }
        probabilistic_sharpe = summary.probabilisticSharpe
        overfitting = summary.overfitting.map {
            Overfitting(
                probability: $0.probability, blocks: $0.blocks, combinations: $0.combinations, suspect: $0.isSuspect)
        }
        minimum_backtest_years = summary.minimumBacktestYears
        data_years = summary.dataYears
    }

    /// The text for a terminal: the leaderboard, then what the best result is worth.
    static func text(
        summary: SweepSummary, names: [String], objective: SweepObjective, top count: Int, failures: [(String, Int)]
    ) -> String {
        var table = Table("rank")
        table.headers = ["rank", "trial"] + names + [objective.statistic, "total return", "max drawdown", "trades"]
        for (rank, t) in summary.ranked.prefix(count).enumerated() {
            guard let s = t.statistics else { continue }
            table.add(
                ["\(rank + 1)", "\(t.index)"] + names.map { t.parameters[$0]?.description ?? "" } + [
                    objective.value(s).fixed(4), s.totalReturn.percent(), s.maxDrawdown.percent(), "\(s.roundTrips)",
                ])
        }
        var lines = [table.render(), ""]
        lines.append("trials: \(summary.trials) (\(summary.failed) failed, counted)")
        for (reason, trials) in failures.prefix(3) { lines.append("  failed: \(reason) (\(trials) trials)") }
        if let d = summary.deflated {
            lines.append(
                "deflated Sharpe ratio: \(d.value.fixed(4))\(d.isSuspect ? "  ← below 0.95: the best may be luck" : "")"
                    + "  (per-bar Sharpe \(d.sharpe.fixed(5)) against \(d.benchmark.fixed(5)) expected of the best of"
                    + " \(d.trials) unskilled trials, Sharpe variance \(d.variance.formatted()), \(d.observations) returns)"
            )
        }
        if let p = summary.probabilisticSharpe { lines.append("probabilistic Sharpe ratio (> 0): \(p.fixed(4))") }
        if let o = summary.overfitting {
            lines.append(
                "probability of backtest overfitting: \(o.probability.fixed(4))\(o.isSuspect ? "  ← above 0.5" : "")"
                    + "  (CSCV, \(o.blocks) blocks, \(o.combinations) splits)")
        }
        if let years = summary.minimumBacktestYears {
            lines.append(
                "minimum backtest length for \(summary.trials) trials at the best's Sharpe: \(years.fixed(2)) years;"
                    + " the data spans \(summary.dataYears.fixed(2))")
        }
        return lines.joined(separator: "\n")
    }
}
