import ArgumentParser

/// `ats-bench`: measures the figures docs/BENCHMARKS.md reports. Build with `-c release`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ats-bench",
        abstract: "Benchmarks of the codec, fill persistence, scheduling latency and the engine.",
        subcommands: [
            CodecBench.self, FillsBench.self, LatencyBench.self, EngineBench.self, IndicatorBench.self, HashBench.self,
            OrderBench.self, ReconcileBench.self, ModelBench.self, CheckpointBench.self,
        ])
}
