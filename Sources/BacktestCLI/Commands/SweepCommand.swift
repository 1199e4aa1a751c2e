import ArgumentParser

/// `ats sweep`: parameter searches. `run` searches on this machine (every core, one load of the
/// data); the cluster's sweeps (`create`, `list`, `show`, `top`, `pause`, `resume`, `cancel`)
/// are handed to `ats-admin` (``ClusterCommands/handOver(_:)``).
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep", abstract: "Search a strategy's parameters, with overfitting statistics beside the best.",
        discussion: """
            On the cluster (trials in chunks on every free worker; see ats sweep create --help):
              ats sweep create | list | show S | top S [-n 20] | heatmap S --x A --y B |
              report S --out s.html | pause S | resume S | cancel S | rm S | ledger [--reset]
            """,
        subcommands: [SweepRunCommand.self])
}
