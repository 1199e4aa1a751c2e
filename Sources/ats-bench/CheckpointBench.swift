import ATSEngine
import ATSShared
import ArgumentParser
import Foundation

/// A paper job's checkpoint: its state's size as the engine writes it (JSON) and compressed at
/// zlib levels 1, 6 and 9, and the time to write, compress, inflate and restore it (medians).
struct CheckpointBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "A paper job's checkpoint: bytes and times, plain and compressed.")

    @Option(help: "Bars run before the checkpoint (synthetic, seed 42).") var bars: Int = 20_000
    @Option(help: "Strategy.") var strategy: String = "sma_cross"
    @Option(name: .customLong("param"), help: "Strategy parameter (repeat); sma_cross defaults to fast=5 slow=30.")
    var params: [String] = []
    @Option(help: "Timed repetitions of each step (the median is reported).") var repeats: Int = 200
    @Option(help: "Write the plain state (JSON) to this file too.") var write: String?

    func median(_ step: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<repeats {
            let watch = Stopwatch()
            try step()
            times.append(watch.seconds)
        }
        return times.sorted()[times.count / 2]
    }

    /// Read outside the async function: Swift 6.3 frees the copied exchange out of order there
    /// (``BacktestSession/wallet``).
    static func orders(_ session: any BacktestSession) -> Int { session.exchange.orderCount }

    func run() async throws {
        let series = SyntheticBars(seed: 42).generate(count: bars)
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: [:]),
            strategy: ComponentRef(
                namespace: "strategies:\(strategy)",
                config: try Parameters.parseAssignments(
                    params.isEmpty && strategy == "sma_cross" ? ["fast=5", "slow=30"] : params)),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
            portfolio: .init(cash: 100_000))
        let resolved = try Registry.standard.resolve(spec)
        var session = try Registry.standard.makeSession(resolved)
        session.run(series, until: series.count)
        let state = try session.checkpoint()
        let plain = Array(state)
        if let write { try state.write(to: URL(fileURLWithPath: write)) }
        let encode = try median { _ = try session.checkpoint() }
        let restore = try median { _ = try Registry.standard.makeSession(resolved, checkpoint: state) }
        print(
            String(
                format: "%@ over %d bars: %d orders, state %d bytes (JSON): written in %.1f µs, restored in %.1f µs",
                strategy, bars, Self.orders(session), plain.count, encode * 1e6, restore * 1e6))
        for level: Int32 in [1, 6, 9] {
            let packed = CheckpointCompression.compress(plain, level: level)
            let compress = median { _ = CheckpointCompression.compress(plain, level: level) }
            let inflate = try median { _ = try CheckpointCompression.inflate(packed) }
            print(
                String(
                    format: "zlib level %d: %d bytes (%.1fx smaller), compressed in %.1f µs, inflated in %.1f µs",
                    level, packed.count, Double(plain.count) / Double(packed.count), compress * 1e6, inflate * 1e6))
        }
    }
}
