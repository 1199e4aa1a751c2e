/// What a sweep ranks its trials by: one of the backtest statistics (by its JSON name) and a
/// direction, written `sharpe:max` or `max_drawdown:min`.
public struct SweepObjective: Sendable, Hashable, Codable, CustomStringConvertible {
    public var statistic: String
    public var maximize: Bool

    static let statistics: [String: @Sendable (BacktestStatistics) -> Double] = [
        "sharpe": { $0.sharpe }, "sortino": { $0.sortino }, "calmar": { $0.calmar }, "cagr": { $0.cagr },
        "total_return": { $0.totalReturn }, "final_equity": { $0.finalEquity }, "max_drawdown": { $0.maxDrawdown },
        "win_rate": { $0.winRate }, "profit_factor": { $0.profitFactor }, "expectancy": { $0.expectancy },
        "exposure": { $0.exposure }, "round_trips": { Double($0.roundTrips) }, "total_fees": { $0.totalFees },
    ]

    /// Parses `name:max` or `name:min` (`name` alone maximizes).
    public init(parsing text: String) throws(SpecError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, Self.statistics[parts[0]] != nil else {
            throw SpecError(
                field: "objective",
                reason:
                    "expected STATISTIC[:max|min], STATISTIC one of \(Self.statistics.keys.sorted().joined(separator: ", "))"
            )
        }
        guard parts.count == 1 || parts[1] == "max" || parts[1] == "min" else {
            throw SpecError(field: "objective", reason: "the direction is max or min, got \"\(parts[1])\"")
        }
        statistic = parts[0]
        maximize = parts.count == 1 || parts[1] == "max"
    }

    /// The statistic's value in `statistics`.
    public func value(_ statistics: BacktestStatistics) -> Double { Self.statistics[statistic]!(statistics) }

    /// Whether `a` ranks before `b` (a value that is not a number ranks last).
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return maximize ? a > b : a < b
    }

    public var description: String { "\(statistic):\(maximize ? "max" : "min")" }

    /// Walk-forward ranks each fold's train window by its returns' sums: the objective must be one
    /// they give (``WalkForwardSummary/objectives``).
    public func checkWalkForward() throws(SpecError) {
        guard WalkForwardSummary.objectives.contains(statistic) else {
            throw SpecError(
                field: "objective",
                reason:
                    "walk-forward ranks train windows by \(WalkForwardSummary.objectives.sorted().joined(separator: ", ")), not \(statistic)"
            )
        }
    }
}
