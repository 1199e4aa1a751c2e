import ATSBacktestCLI
import ATSShared
import ArgumentParser

/// The cluster commands, which talk to the coordinator's admin API or its database. `ats` hands
/// `ats job|worker|user|db …` to this executable (`ats-admin`, installed next to it), so it
/// names itself `ats`; it can also be run directly.
public struct AdminCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ats",
        abstract: "Automated trading system: jobs, workers, users and the database.",
        discussion: ATSCommand.exitCodes,
        version: ATSVersion.current,
        subcommands: [
            JobCommand.self, WorkerCommand.self, UserCommand.self, CredentialsCommand.self, KillCommand.self,
            DBCommand.self, DataDownloadCommand.self, ClusterSweepCommand.self, TrialBacktestCommand.self,
            ClusterModelCommand.self,
        ])

    public init() {}
}
