import ATSCommon
import ATSEngine
import ATSModels
import Foundation
import Testing

/// The `lstm` strategy in a backtest through the standard registry: it trades on the model's
/// predictions with its bracket, and a run cut anywhere, checkpointed and restored is the
/// uncut run bit for bit (the model's carried state included).
struct LSTMStrategyTests {
    static let bars = SyntheticBars(seed: 11).generate(count: 1_000)

    static func spec(mode: String, model: String = "torch_lstm_stream") -> RunSpec {
        RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: ["allow_short": .bool(true)]),
            strategy: ComponentRef(
                namespace: "strategies:lstm",
                config: [
                    "path": .string(ModelFixtures.directory.appendingPathComponent(model + ".onnx").path),
                    "features": .string("close_return|high_logret|volume_z|close_diff"),
                    "std": .string("0.01|0.01|1|2"),
                    "mode": .string(mode), "threshold": .double(0), "exit_threshold": .double(0.5),
                    "go_short": .bool(true), "std_period": .int(20),
                ]),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
            portfolio: .init(cash: 100_000))
    }

    @Test("cut, checkpointed and restored anywhere: the uncut run", arguments: ["stream", "window"])
    func checkpointsAreBitIdentical(_ mode: String) throws {
        let registry = Registry.standard
        let run = try registry.resolve(
            Self.spec(mode: mode, model: mode == "stream" ? "torch_lstm_stream" : "torch_lstm_dynamo"))
        var whole = try registry.makeSession(run)
        whole.run(Self.bars, until: Self.bars.count)
        let fills = whole.takeFills()
        let end = try whole.checkpoint()
        #expect(fills.count >= 10, "the strategy trades (\(fills.count) fills)")
        #expect(Set(fills.map(\.side)).count == 2)
        var cutFills: [Fill] = []
        var checkpoint: Data?
        for cut in [300, 555, 800, Self.bars.count] {
            var session = try registry.makeSession(run, checkpoint: checkpoint)
            session.run(Self.bars, until: cut)
            cutFills += session.takeFills()
            checkpoint = try session.checkpoint()
        }
        #expect(cutFills == fills)
        #expect(checkpoint == end)
        // A worker finds the model a checkpoint holds before decoding it.
        let file = ModelFixtures.directory.appendingPathComponent(
            (mode == "stream" ? "torch_lstm_stream" : "torch_lstm_dynamo") + ".onnx")
        #expect(ModelSpec.hashes(inCheckpoint: Array(end)) == [ModelLibrary.hash(try Data(contentsOf: file))])
    }

    @Test func thePredictionIsDrawnBelowThePrice() throws {
        let registry = Registry.standard
        var session = try registry.makeSession(
            registry.resolve(Self.spec(mode: "stream")), options: SessionOptions(recordEquity: true, recordPlots: true))
        session.run(Self.bars, until: Self.bars.count)
        #expect(session.plots.map(\.name) == ["prediction", "enter long above", "enter short below"])
        #expect(session.plots.allSatisfy { $0.pane == .below })
        // The model indicator alone over the same bars gives the same predictions.
        let config = Self.spec(mode: "stream").strategy.config.filter {
            ["path", "features", "std", "mode"].contains($0.key)
        }
        let (type, p) = try registry.indicator(IndicatorCall(name: "model", raw: config))
        let alone = try type.batch(Self.bars, parameters: p)[0]
        #expect(alone.contains { !$0.isNaN })
        #expect(session.plotValues[0].map(\.bitPattern) == alone.map(\.bitPattern))
        #expect(session.plotValues[1].allSatisfy { $0 == 0 } && session.plotValues[2].allSatisfy { $0 == 0 })
    }

    /// With brackets and exits too wide to act, a position that outgrows `liquidate_share` of
    /// equity is closed at market (tag `liquidate`); cut and resumed, the same run.
    @Test func aPositionPastItsShareIsLiquidated() throws {
        var spec = Self.spec(mode: "stream")
        spec.strategy.config.merge(
            [
                "tp_std": .double(1000), "sl_std": .double(1000), "exit_threshold": .double(1000),
                "liquidate_share": .double(0.5005),
            ]) { $1 }
        let registry = Registry.standard
        let run = try registry.resolve(spec)
        let bars = SyntheticBars(seed: 12).generate(count: 5_000)
        var whole = try registry.makeSession(run)
        whole.run(bars, until: bars.count)
        let fills = whole.takeFills()
        #expect(fills.filter { $0.tag == "liquidate" }.count >= 3, "\(fills.map(\.tag))")
        #expect(!fills.contains { $0.tag == "exit" || $0.tag == "take_profit" || $0.tag == "stop_loss" })
        var cutFills: [Fill] = []
        var checkpoint: Data?
        for cut in [1_333, 3_700, bars.count] {
            var session = try registry.makeSession(run, checkpoint: checkpoint)
            session.run(bars, until: cut)
            cutFills += session.takeFills()
            checkpoint = try session.checkpoint()
        }
        #expect(cutFills == fills)
        spec.strategy.config["liquidate_share"] = .double(0.4)
        #expect { try registry.resolve(spec) } throws: {
            ($0 as? SpecError)?.field == "strategy.config.liquidate_share"
        }
    }

    @Test func listedWithTheModelIndicator() {
        #expect(Registry.standard.strategies["lstm"]?.origin == .builtIn)
        #expect(Registry.standard.indicators["model"]?.origin == .builtIn)
        #expect(Registry.builtIn.strategies["lstm"] == nil, "the engine alone knows no models")
    }
}
