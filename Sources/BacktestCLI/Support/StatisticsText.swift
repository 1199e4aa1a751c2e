import ATSEngine
import Foundation

/// Statistics as aligned `name value` lines.
public enum StatisticsText {
    public static func lines(_ s: BacktestStatistics) -> [String] { aligned(rows(s)) }

    /// The statistics, then the seed's end-of-run lines: P&L per round trip at its percentiles,
    /// and trading nothing (the starting balances held) beside the run.
    public static func lines(_ s: BacktestStatistics, summary: TradeSummary) -> [String] {
        let trades =
            summary.pnlPercentiles.isEmpty
            ? "no round trips"
            : zip(TradeSummary.levels, summary.pnlPercentiles).map { "p\($0) \($1.fixed(2))" }.joined(separator: "  ")
                + "  (worst \((summary.worst ?? 0).fixed(2)), best \((summary.best ?? 0).fixed(2)))"
        var extra = [("P&L per trade", trades)]
        if let equity = summary.noTradeEquity, let r = summary.noTradeReturn {
            extra.append(("trading nothing", "final equity \(equity.fixed(2)) (\(r.percent()))"))
        }
        return aligned(rows(s) + extra)
    }

    static func rows(_ s: BacktestStatistics) -> [(String, String)] {
        [
            ("bars", String(s.bars)), ("orders", "\(s.orders) (\(s.rejectedOrders) rejected)"),
            ("fills", String(s.fills)),
            ("round trips", String(s.roundTrips)), ("final equity", s.finalEquity.fixed(2)),
            ("total fees", s.totalFees.fixed(2)),
            ("total return", s.totalReturn.percent()), ("buy and hold", s.buyAndHoldReturn.percent()),
            ("CAGR", s.cagr.percent()),
            ("Sharpe", s.sharpe.fixed(3)), ("Sortino", s.sortino.fixed(3)), ("Calmar", s.calmar.fixed(3)),
            ("max drawdown", s.maxDrawdown.percent()),
            ("max drawdown duration", "\(durationText(s.maxDrawdownDuration)) (\(s.maxDrawdownBars) bars)"),
            ("win rate", s.winRate.percent()), ("profit factor", s.profitFactor.fixed(3)),
            ("expectancy", s.expectancy.fixed(4)),
            ("exposure", s.exposure.percent()),
        ]
    }

    static func aligned(_ rows: [(String, String)]) -> [String] {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }
    }

    public static func durationText(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s >= 86_400 { return "\(s / 86_400)d \(s % 86_400 / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h \(s % 3600 / 60)m" }
        return "\(s / 60)m \(s % 60)s"
    }
}
