import ATSEngine
import ArgumentParser
import Foundation

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Make, convert and download bar data; the cluster's data sets.",
        subcommands: [Synth.self, Import.self, ClusterCommands.DataDownload.self, ClusterCommands.DataSet.self])

    struct Synth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "synth",
            abstract: "Write deterministic synthetic one-minute bars (same seed, same file, on any machine).")
        @Option(help: "Number of bars.") var bars: Int = 100_000
        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "First bar's time, epoch milliseconds.") var start: Int64 = 1_640_995_200_000
        @Option(help: "Output format: seed or plain.") var format: String = "seed"
        @Option(help: "Output file.") var out: String

        func run() async throws {
            try await reportingErrors {
                guard bars > 0 else { throw CLIError.invalid("--bars must be positive") }
                guard let f = BarFormat(rawValue: format), f == .seed || f == .plain else {
                    throw CLIError.invalid("--format must be seed or plain")
                }
                let series = SyntheticBars(seed: seed, start: start).generate(count: bars)
                let text = BarCSVWriter.csv(series, format: f)
                guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8)) else {
                    throw CLIError.invalid("cannot write \(out)")
                }
                print("wrote \(bars) bars to \(out)")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract:
                "Convert a bar file (any CSV format) into the binary columnar catalog that loads at memory speed.",
            discussion:
                "ats data import --in bars.csv --out bars.atsb   (then use bars.atsb wherever a bar file is taken)")
        @Option(name: .customLong("in"), help: "Bar file to read.") var input: String
        @Option(help: "Force the input format: seed, plain, binance.") var format: String?
        @Option(help: "Catalog file to write.") var out: String

        func run() async throws {
            try await reportingErrors {
                let bars: BarSeries
                do {
                    bars = try BarLoader.load(path: input, format: format.flatMap(BarFormat.init(rawValue:)))
                } catch let e as DataError {
                    throw CLIError.invalid(e.description)
                }
                // Written beside and renamed over: a process that has the old file mapped keeps it.
                do { try BarCatalog.write(bars, atomicallyTo: out) } catch let e as DataError {
                    throw CLIError.invalid(e.description)
                }
                print("wrote \(bars.count) bars (\(BarCatalog.size(bars: bars.count)) bytes) to \(out)")
            }
        }
    }
}
