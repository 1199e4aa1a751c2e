import ATSShared
import ArgumentParser

/// `ats`: the admin CLI. Cluster commands talk to the coordinator's admin API; `backtest`,
/// `indicators` and `data` work on their own, with no database.
public struct ATSCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ats",
        abstract: "Automated trading system: jobs, workers, backtests.",
        discussion: """
            Exit codes: 0 ok, 1 error, 2 usage, 3 invalid input (the message names the field or the \
            file, line and column), 4 not found, 5 conflict, 6 coordinator unreachable, 7 authentication.
            """,
        version: ATSVersion.current,
        subcommands: [
            JobCommand.self, WorkerCommand.self, DBCommand.self, BacktestCommand.self, IndicatorsCommand.self,
            DataCommand.self, ComponentsCommand.self, UserCommand.self,
        ])

    public init() {}
}
