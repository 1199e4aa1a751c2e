import ATSCommon
import ArgumentParser

/// `ats`: backtests, indicators and data on this machine, with no database; the cluster commands
/// (`job`, `worker`, `user`, `db`) are listed here and run by `ats-admin` (see ``ClusterCommands``).
public struct ATSCommand: AsyncParsableCommand {
    public static let exitCodes = """
        Exit codes: 0 ok, 1 error, 2 usage, 3 invalid input (the message names the field or the \
        file, line and column), 4 not found, 5 conflict, 6 coordinator unreachable, 7 authentication.
        """

    public static let configuration = CommandConfiguration(
        commandName: "ats",
        abstract: "Automated trading system: jobs, workers, backtests.",
        discussion: exitCodes,
        version: ATSVersion.current,
        subcommands: [
            ClusterCommands.Job.self, ClusterCommands.Worker.self, ClusterCommands.DB.self, BacktestCommand.self,
            IndicatorsCommand.self, DataCommand.self, ModelCommand.self, SweepCommand.self, ComponentsCommand.self,
            ClusterCommands.User.self,
            ClusterCommands.Credentials.self, ClusterCommands.Kill.self,
        ])

    public init() {}
}
