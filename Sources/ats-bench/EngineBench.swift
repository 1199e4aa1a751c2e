import ATSEngine
import ATSShared
import ArgumentParser
import Foundation

/// Engine throughput, excluding load: one strategy over synthetic one-minute bars.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Backtest throughput in bars per second.")

    @Option(help: "Bars (synthetic, seed 42) when --data is absent.") var bars: Int = 1_000_000
    @Option(help: "A bar file to load instead (the load is timed separately).") var data: String?
    @Option(help: "Strategy.") var strategy: String = "sma_cross"
    @Option(
        name: .customLong("param"),
        help: "Strategy parameter (repeat); sma_cross defaults to fast=10 slow=30 quantity=1.")
    var params: [String] = []
    @Option(help: "next_open or close.") var marketFill: String = "close"
    @Option(help: "Timed repetitions (the best is reported).") var repeats: Int = 5
    @Flag(help: "Book fills and drop them, as `ats backtest` does without --report (default: keep them for takeFills).")
    var dropFills = false
    @Flag(help: "Use a catalog's columns in place in the mapped file, as `ats backtest` does (default: copied).")
    var inPlace = false

    func run() async throws {
        let loadWatch = Stopwatch()
        let series =
            try data.map { try BarLoader.load(path: $0, inPlace: inPlace) }
            ?? SyntheticBars(seed: 42).generate(count: bars)
        let load = loadWatch.seconds
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: ["market_fill": .string(marketFill)]),
            strategy: ComponentRef(
                namespace: "strategies:\(strategy)",
                config: try Parameters.parseAssignments(
                    params.isEmpty && strategy == "sma_cross" ? ["fast=10", "slow=30", "quantity=1"] : params)),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
            portfolio: .init(cash: 1e12))
        let resolved = try Registry.standard.resolve(spec)
        var best = Double.infinity
        var stats: BacktestStatistics?
        for _ in 0..<repeats {
            var session = try Registry.standard.makeSession(resolved, options: SessionOptions(keepFills: !dropFills))
            let watch = Stopwatch()
            session.run(series, until: series.count)
            best = min(best, watch.seconds)
            stats = session.statistics(barInterval: series.barInterval)
        }
        if strategy == "sma_cross" {
            // The same run with the concrete type, bypassing the registry: shows what dispatch costs.
            let p = try SMACross.descriptor.validate(["fast": .int(10), "slow": .int(30), "quantity": .int(1)])
            var direct = Double.infinity
            for _ in 0..<repeats {
                let exchange = SimulatedExchange(
                    instrument: resolved.instrument, config: resolved.simulation, fees: resolved.feeModel, cash: 1e12)
                var run = BacktestRun(strategy: try SMACross(parameters: p), exchange: exchange)
                let watch = Stopwatch()
                run.run(series, until: series.count)
                direct = min(direct, watch.seconds)
            }
            print(String(format: "direct BacktestRun<SMACross>: %.1f M bars/s", Double(series.count) / direct / 1e6))
        }
        print("\(strategy) \(params.joined(separator: " ")), market_fill=\(marketFill), \(series.count) bars")
        if data != nil {
            print(String(format: "load:  %.3f s (%.1f M bars/s)", load, Double(series.count) / load / 1e6))
        }
        print(
            String(format: "run:   %.4f s best of %d = %.1f M bars/s", best, repeats, Double(series.count) / best / 1e6)
        )
        print("round trips \(stats!.roundTrips), fills \(stats!.fills), final equity \(stats!.finalEquity)")
    }
}
