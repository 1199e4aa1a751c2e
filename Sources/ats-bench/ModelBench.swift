import ATSCommon
import ATSEngine
import ATSModels
import ArgumentParser
import Foundation

/// Trained-model timings (docs/BENCHMARKS.md "Models"): one call of a model over a window (the
/// figure beside onnxruntime's single-call latency, scripts/bench_model_compare.py), one
/// streaming step, and whole backtests of the `lstm` strategy over synthetic bars.
struct ModelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Model call latency, streaming step and backtest speed.")

    @Option(help: "ONNX file with a free sequence axis (input [1, seq, features]).") var model: String
    @Option(help: "Bars in a window.") var window: Int = 60
    @Option(help: "Bars for the backtests.") var bars: Int = 1_000_000
    @Option(help: "Repetitions (the best is reported).") var repeats: Int = 5

    func run() async throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        let (hash, graph) = try ModelLibrary.shared.add(bytes)
        let features = 4
        let input = graph.inputs[0].name
        var rng = SplitMix64(seed: 1)
        func random() -> Float { Float(Double(rng.next() >> 11) / Double(1 << 53) * 4 - 2) }

        // One call over a window, as onnxruntime's session.run on [1, window, features].
        let windowed = ModelMemory(try ModelProgram(graph: graph, inputShapes: [input: [1, window, features]]))
        let x = windowed.input()
        for i in 0..<x.count { x[i] = random() }
        var calls: [Double] = []
        var sink: Float = 0
        for _ in 0..<repeats {
            let n = 20_000
            let watch = Stopwatch()
            for _ in 0..<n {
                windowed.run()
                sink += windowed.output()[0]
            }
            calls.append(watch.seconds / Double(n))
        }
        print(
            String(
                format: "window call [1,%d,%d]: %.2f µs (best of %d × 20,000)", window, features, calls.min()! * 1e6,
                repeats))

        // One streaming step (the recurrent state carried).
        let stepping = ModelMemory(
            try ModelProgram(graph: graph, inputShapes: [input: [1, 1, features]], streaming: true))
        var steps: [Double] = []
        for _ in 0..<repeats {
            let n = 1_000_000
            let row = stepping.input()
            let watch = Stopwatch()
            for i in 0..<n {
                row[i & 3] = Float(i & 255) * 0.01 - 1
                stepping.run()
                sink += stepping.output()[0]
            }
            steps.append(watch.seconds / Double(n))
        }
        print(
            String(
                format: "streaming step [1,1,%d]: %.1f ns (%.2fM steps/s)", features, steps.min()! * 1e9,
                1e-6 / steps.min()!))

        // Whole backtests: the lstm strategy with four features, streaming and windowed.
        let series = SyntheticBars(seed: 42).generate(count: bars)
        for mode in ["stream", "window"] {
            let n = mode == "stream" ? bars : min(bars, 100_000)
            let part = n == bars ? series : BarSeries((0..<n).map { series[$0] })
            let spec = RunSpec(
                exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: [:]),
                strategy: ComponentRef(
                    namespace: "strategies:lstm",
                    config: [
                        "hash": .string(hash), "window": .int(window), "mode": .string(mode),
                        "features": .string("close_return|high_logret|volume_z|close_diff"),
                        "std": .string("0.01|0.01|1|2"), "threshold": .double(0.05),
                    ]),
                fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
                portfolio: .init(cash: 100_000))
            let run = try Registry.standard.resolve(spec)
            var best = Double.infinity
            var fills = 0
            for _ in 0..<(mode == "stream" ? repeats : 1) {
                var session = try Registry.standard.makeSession(run, options: SessionOptions(keepFills: false))
                let watch = Stopwatch()
                session.run(part, until: n)
                best = min(best, watch.seconds)
                fills = session.statistics(barInterval: part.barInterval).fills
            }
            print(
                String(
                    format: "lstm backtest (%@) over %d bars: %.3f s (%.2fM bars/s, %d fills)", mode, n, best,
                    Double(n) / best / 1e6, fills))
        }
        if sink == .infinity { print("") }
    }
}
