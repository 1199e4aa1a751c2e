import ATSEngine
import ArgumentParser
import Foundation

/// The reproducibility stamp's content hash over a file, XXH3 against the XXH64 it replaced: the
/// first pass over a fresh mapping (page faults included, as in `ats backtest`), then the best of N.
struct HashBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Content hash speed (XXH3, XXH64) over a file.")

    @Option(help: "File to hash (mapped, as `ats backtest` reads it).") var data: String
    @Option(help: "Repetitions (the best is reported).") var repeats: Int = 10

    func run() async throws {
        for (name, hash) in [("xxh3 ", XXH3.hash), ("xxh64", { XXH64.hash($0) })]
            as [(String, (UnsafeRawBufferPointer) -> UInt64)]
        {
            let bytes = try BarLoader.read(data)
            var first = 0.0
            var best = Double.infinity
            var value: UInt64 = 0
            for k in 0..<repeats {
                let watch = Stopwatch()
                value = bytes.withUnsafeBytes(hash)
                let seconds = watch.seconds
                if k == 0 { first = seconds }
                best = min(best, seconds)
            }
            let gb = Double(bytes.count) / 1e9
            print(
                String(
                    format: "%@ %016llx  first %.2f ms (%.1f GB/s), best of %d %.2f ms (%.1f GB/s)", name, value,
                    first * 1000, gb / first, repeats, best * 1000, gb / best))
        }
    }
}
