import ATSBacktestCLI
import ATSEngine
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
            let path: String
            var temporary: String?
            defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
            if let data {
                path = data
            } else if let set = trial.data.hash ?? trial.data.set {
                let bytes = try await client.send("GET", "api/datasets/\(set)/catalog", timeout: 600)
                if let hash = trial.data.hash, ReproducibilityStamp.hash(bytes) != hash {
                    throw CLIError.invalid("the data set's bytes are not \(hash): fetch them again")
                }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "ats-trial-\(ProcessInfo.processInfo.processIdentifier).bars"
                ).path
                guard FileManager.default.createFile(atPath: file, contents: bytes) else {
                    throw CLIError.invalid("cannot write \(file)")
                }
                temporary = file
                path = file
            } else {
                throw CLIError.usage(
                    "sweep \(trial.sweep) read \(trial.data.path) on its workers: give --data with that file")
            }
            let bars: BarSeries
            do { bars = try BarLoader.load(path: path, format: trial.data.format) } catch let e as DataError {
                throw CLIError.invalid(e.description)
            }
            let statistics: BacktestStatistics
            do {
                var session = try Registry.standard.makeSession(Registry.standard.resolve(trial.run))
                session.run(bars, until: bars.count)
                statistics = session.statistics(barInterval: bars.barInterval)
            } catch let e as SpecError { throw CLIError.invalid(e.description) }
            // Compared as their JSON (every number's shortest exact form; a NaN equals a NaN).
            let encoder = JSONCoding.encoder()
            let same = try trial.statistics.map { try encoder.encode($0) == encoder.encode(statistics) }
            if connection.json {
                try printJSON(
                    Output(
                        sweep: trial.sweep, trial: index, parameters: trial.parameters, statistics: statistics,
                        same_as_sweep: same))
            } else {
                let parameters = trial.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                print("trial \(index) of sweep \(trial.sweep): \(parameters.joined(separator: " "))")
                print(StatisticsText.lines(statistics).joined(separator: "\n"))
                switch same {
                case true?: print("the same as in the sweep, bit for bit")
                case false?: break
                case nil: print("its chunk has not run yet: nothing to compare with")
                }
            }
            if same == false {
                throw CLIError.invalid(
                    "trial \(index) differs from what sweep \(trial.sweep) stored for it (another engine or other data?)"
                )
            }
        }
    }
}
