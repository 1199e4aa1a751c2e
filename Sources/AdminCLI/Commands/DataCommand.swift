import ATSEngine
import ArgumentParser
import Foundation

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Make and convert bar data.", subcommands: [Synth.self])

    struct Synth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
}
