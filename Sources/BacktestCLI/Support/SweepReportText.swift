import ATSCommon
import ATSEngine
import Foundation

/// A sweep's report for a terminal (`ats sweep run`, `ats sweep show` and `top`): the leaderboard,
/// then what the best result is worth.
public enum SweepReportText {
    public static func render(_ report: SweepReport, top count: Int) -> String {
        var table = Table("rank")
        let statistic = report.objective.split(separator: ":").first.map(String.init) ?? report.objective
        table.headers = ["rank", "trial"] + report.names + [statistic, "total return", "max drawdown", "trades"]
        for (rank, t) in report.top.prefix(count).enumerated() {
            let s = t.statistics
            table.add(
                ["\(rank + 1)", "\(t.trial)"] + report.names.map { t.parameters[$0]?.description ?? "" } + [
                    t.objective.fixed(4), s.totalReturn.percent(), s.maxDrawdown.percent(), "\(s.roundTrips)",
                ])
        }
        var lines = [table.render(), ""]
        let stopped = report.failures.filter { TrialOutcome.isStoppedEarly($0.reason) }.reduce(0) { $0 + $1.trials }
        if let engines = report.mixed_engines {
            lines.append(
                "MIXED ENGINES: the chunks ran on "
                    + engines.map { "\($0.engine) (\($0.chunks) chunks)" }.joined(separator: ", ")
                    + ": trials from different engines may not compare; run the sweep again on one")
        }
        lines.append(
            "trials: \(report.trials) (\(report.failed - stopped) failed"
                + (stopped > 0 ? ", \(stopped) stopped early by their first folds" : "") + ", all counted)")
        for f in report.failures.filter({ !TrialOutcome.isStoppedEarly($0.reason) }).prefix(3) {
            lines.append("  failed: \(f.reason) (\(f.trials) trials)")
        }
        if let d = report.deflated_sharpe {
            lines.append(
                "deflated Sharpe ratio: \(d.value.fixed(4))\(d.suspect ? "  ← below 0.95: the best may be luck" : "")"
                    + "  (per-bar Sharpe \(d.sharpe.fixed(5)) against \(d.benchmark_sharpe.fixed(5)) expected of the best of"
                    + " \(d.trials) unskilled trials, Sharpe variance \(d.sharpe_variance.formatted()), \(d.observations) returns)"
            )
        }
        if let l = report.research_ledger {
            let d = l.deflated_sharpe
            lines.append(
                "deflated by your whole search on this strategy and data: \(d.value.fixed(4))"
                    + "\(d.suspect ? "  ← below 0.95" : "")  (\(l.trials) trials in \(l.sweeps) sweep\(l.sweeps == 1 ? "" : "s"), the research"
                    + " ledger; Sharpe variance \(d.sharpe_variance.formatted()))")
        }
        if let p = report.probabilistic_sharpe { lines.append("probabilistic Sharpe ratio (> 0): \(p.fixed(4))") }
        if let o = report.overfitting {
            lines.append(
                "probability of backtest overfitting: \(o.probability.fixed(4))\(o.suspect ? "  ← above 0.5" : "")"
                    + "  (CSCV, \(o.blocks) blocks, \(o.combinations) splits"
                    + (o.trials < report.trials - report.failed ? ", over a fixed sample of \(o.trials) trials)" : ")"))
        }
        if let years = report.minimum_backtest_years {
            lines.append(
                "minimum backtest length for \(report.trials) trials at the best's Sharpe: \(years.fixed(2)) years;"
                    + " the data spans \(report.data_years.fixed(2))")
        }
        if let w = report.walk_forward { lines += ["", walkForward(w, names: report.names, statistic: statistic)] }
        return lines.joined(separator: "\n")
    }

    /// Each fold's choice on its train window and its test window out of sample, then the test
    /// windows joined and the walk-forward efficiency.
    static func walkForward(_ w: WalkForwardReport, names: [String], statistic: String) -> String {
        func day(_ ms: Int64) -> String {
            Date(timeIntervalSince1970: Double(ms) / 1000).formatted(.iso8601.year().month().day())
        }
        var table = Table("fold")
        table.headers =
            ["fold", "train", "test", "trial"] + names + ["in-sample \(statistic)", "test return", "test Sharpe"]
        for (k, f) in w.folds.enumerated() {
            table.add(
                [
                    "\(k + 1)", "\(day(f.train_from))…\(day(f.train_to))", "\(day(f.test_from))…\(day(f.test_to))",
                    f.trial.map(String.init) ?? "-",
                ] + names.map { f.parameters[$0]?.description ?? "" }
                    + [f.in_sample.fixed(4), f.out_of_sample_return.percent(), f.out_of_sample_sharpe.fixed(2)])
        }
        var lines = ["walk-forward: \(w.folds.count) folds, each re-optimised on its train window", table.render()]
        lines.append(
            "out of sample (test windows joined): return \(w.out_of_sample_return.percent()), Sharpe "
                + "\(w.out_of_sample_sharpe.fixed(2)), \(w.out_of_sample_annual.percent()) a year; in sample "
                + "\(w.in_sample_annual.percent()) a year")
        lines.append(
            "walk-forward efficiency: " + (w.efficiency.map { $0.fixed(2) } ?? "- (no in-sample gain)")
                + (w.efficiency.map { $0 < 0.5 ? "  ← below 0.5: the chosen parameters do not carry forward" : "" }
                    ?? ""))
        return lines.joined(separator: "\n")
    }
}
