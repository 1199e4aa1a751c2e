import ArgumentParser

/// `ats sweep`: parameter searches. `run` searches on this machine (every core, one load of the
/// data); the cluster's sweeps (create, list, …) come with docs/SWEEPS.md's slice 3.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep", abstract: "Search a strategy's parameters, with overfitting statistics beside the best.",
        subcommands: [SweepRunCommand.self])
}
