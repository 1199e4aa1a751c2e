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
        lines.append("trials: \(report.trials) (\(report.failed) failed, counted)")
        for f in report.failures.prefix(3) { lines.append("  failed: \(f.reason) (\(f.trials) trials)") }
        if let d = report.deflated_sharpe {
            lines.append(
                "deflated Sharpe ratio: \(d.value.fixed(4))\(d.suspect ? "  ← below 0.95: the best may be luck" : "")"
                    + "  (per-bar Sharpe \(d.sharpe.fixed(5)) against \(d.benchmark_sharpe.fixed(5)) expected of the best of"
                    + " \(d.trials) unskilled trials, Sharpe variance \(d.sharpe_variance.formatted()), \(d.observations) returns)"
            )
        }
        if let p = report.probabilistic_sharpe { lines.append("probabilistic Sharpe ratio (> 0): \(p.fixed(4))") }
        if let o = report.overfitting {
            lines.append(
                "probability of backtest overfitting: \(o.probability.fixed(4))\(o.suspect ? "  ← above 0.5" : "")"
                    + "  (CSCV, \(o.blocks) blocks, \(o.combinations) splits)")
        }
        if let years = report.minimum_backtest_years {
            lines.append(
                "minimum backtest length for \(report.trials) trials at the best's Sharpe: \(years.fixed(2)) years;"
                    + " the data spans \(report.data_years.fixed(2))")
        }
        return lines.joined(separator: "\n")
    }
}
