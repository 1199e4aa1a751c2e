import ATSBacktestCLI
import ATSEngine
import ATSModels
import ATSShared
import ArgumentParser
import Foundation

/// `ats backtest --from-trial SWEEP/TRIAL`: a sweep's trial run again on this machine, on the
/// sweep's data (its data set, fetched from the coordinator and checked against its hash), and
/// checked against what the sweep stored for it: the same statistics, bit for bit, or an error.
/// `ats` hands the command here when it sees `--from-trial`.
struct TrialBacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Run a sweep's trial again on this machine and check it against the sweep's (--from-trial S/T).",
        discussion: """
            ats backtest --from-trial s1/137 [--data bars.csv] [--json]
            The trial's number is the one ats sweep top lists. A sweep on a data set runs on the set's
            bars, fetched from the coordinator; a sweep on a file of the workers needs --data.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "The trial: SWEEP/TRIAL.") var fromTrial: String
    @Option(help: "The bar file, instead of the sweep's data set (a sweep that read a file on its workers).")
    var data: String?

    struct Output: Encodable {
        var sweep: String
        var trial: Int
        var parameters: [String: ParameterValue]
        var statistics: BacktestStatistics
        /// Whether the statistics equal the sweep's for this trial (nil: its chunk has not run).
        var same_as_sweep: Bool?
    }

    func run() async throws {
        try await reportingErrors {
            let parts = fromTrial.split(separator: "/").map(String.init)
            guard parts.count == 2, let index = Int(parts[1]), index >= 0 else {
                throw CLIError.usage("--from-trial: expected SWEEP/TRIAL, like s1/137, got \"\(fromTrial)\"")
            }
            let client = try connection.client()
            let trial = try await client.get("api/sweeps/\(parts[0])/trials/\(index)", as: SweepTrial.self)
            let bars: BarSeries
            do {
                if let data {
                    bars = try BarLoader.load(path: data, format: trial.data.format)
                } else if let set = trial.data.hash ?? trial.data.set {
                    // The set's catalog, as workers run it, checked against the hash the sweep pinned.
                    let bytes = try await client.send("GET", "api/datasets/\(set)/catalog", timeout: 600)
                    if let hash = trial.data.hash, ReproducibilityStamp.hash(bytes) != hash {
                        throw CLIError.invalid("the data set's bytes are not \(hash): fetch them again")
                    }
                    bars = try BarLoader.parse(bytes, file: "data set \(set)", format: .catalog)
                } else {
                    throw CLIError.usage(
                        "sweep \(trial.sweep) read \(trial.data.path) on its workers: give --data with that file")
                }
            } catch let e as DataError { throw CLIError.invalid(e.description) }
            // A trained model's weights: this machine's copy, else the cluster's, checked by hash.
            if Registry.standard.runsModel(trial.run.strategy), let hash = JobSpec.modelHash(trial.run.strategy.config),
                (try? ModelLibrary.shared.resolve(name: nil, path: nil, hash: hash)) == nil
            {
                let bytes = try await client.send("GET", "api/models/\(hash)/file", timeout: 300)
                guard ModelLibrary.hash(bytes) == hash else {
                    throw CLIError.invalid("the model's bytes are not \(hash): fetch them again")
                }
                do { try ModelLibrary.shared.add(bytes) } catch let e as ModelError {
                    throw CLIError.invalid(e.message)
                }
            }
            // Run as the sweep ran it: a trial the strategy refuses fails here as it failed there.
            let local: Result<BacktestStatistics, RunFailure>
            do {
                var session = try Registry.standard.makeSession(Registry.standard.resolve(trial.run))
                session.run(bars, until: bars.count)
                local = .success(session.statistics(barInterval: bars.barInterval))
            } catch {
                local = .failure(RunFailure(description: "\(error)"))
            }
            // Compared as their JSON (every number's shortest exact form; a NaN equals a NaN); a
            // trial that failed in the sweep must fail here too.
            let encoder = JSONCoding.encoder()
            var same: Bool?
            let stoppedEarly = trial.failure.map { TrialOutcome.isStoppedEarly($0) } ?? false
            if trial.done && !stoppedEarly {
                switch (trial.statistics, local) {
                case (let stored?, .success(let mine)): same = try encoder.encode(stored) == encoder.encode(mine)
                case (nil, .failure): same = true
                default: same = false
                }
            }
            if connection.json {
                let statistics: BacktestStatistics
                switch local {
                case .success(let s): statistics = s
                case .failure(let why):
                    throw CLIError.invalid(
                        "trial \(index) fails here: \(why)" + (same == true ? " (as it failed in the sweep)" : ""))
                }
                try printJSON(
                    Output(
                        sweep: trial.sweep, trial: index, parameters: trial.parameters, statistics: statistics,
                        same_as_sweep: same))
            } else {
                let parameters = trial.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                print("trial \(index) of sweep \(trial.sweep): \(parameters.joined(separator: " "))")
                switch local {
                case .success(let statistics): print(StatisticsText.lines(statistics).joined(separator: "\n"))
                case .failure(let why): print("the trial fails: \(why)")
                }
                switch same {
                case true?: print("the same as in the sweep, bit for bit")
                case false?: break
                case nil where stoppedEarly:
                    print(
                        "the sweep stopped it early (\(trial.failure ?? "")): no statistics of its whole run to compare with"
                    )
                case nil: print("its chunk has not run yet: nothing to compare with")
                }
            }
            if same == false {
                throw CLIError.invalid(
                    "trial \(index) differs from what sweep \(trial.sweep) stored for it"
                        + (trial.failure.map { " (the sweep's run failed: \($0))" }
                            ?? " (another engine or other data?)"))
            }
        }
    }
}

/// Why a trial's run failed here.
struct RunFailure: Error, CustomStringConvertible {
    var description: String
}
