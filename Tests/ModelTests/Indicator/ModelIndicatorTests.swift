import ATSCommon
import ATSEngine
import ATSModels
import Foundation
import Testing

/// The `model` indicator against an independent computation (features with numpy, the model by
/// onnxruntime: scripts/make_model_fixtures.py), in both modes, through checkpoints, and its
/// errors by field.
struct ModelIndicatorTests {
    struct Expected: Decodable {
        var features: String
        var mean: String
        var std: String
        var window: Int
        var first_row: Int
        var window_model: String
        var window_expected: [Double?]
        var stream_model: String
        var stream_expected: [Double?]
    }

    static let expected: Expected = {
        let url = ModelFixtures.directory.appendingPathComponent("indicator_expected.json")
        // NaN is written as a bare NaN by Python's json; read it as null.
        let text = try! String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "NaN", with: "null")
        return try! JSONDecoder().decode(Expected.self, from: Data(text.utf8))
    }()

    static let bars = try! BarLoader.load(
        path: ModelFixtures.directory.appendingPathComponent("indicator_bars.csv").path)

    static func parameters(model: String, mode: String, extra: [String: ParameterValue] = [:]) throws -> Parameters {
        let e = expected
        var raw: [String: ParameterValue] = [
            "path": .string(ModelFixtures.directory.appendingPathComponent(model + ".onnx").path),
            "window": .int(e.window), "features": .string(e.features), "mean": .string(e.mean),
            "std": .string(e.std), "mode": .string(mode),
        ]
        raw.merge(extra) { $1 }
        _ = Registry.standard
        return try Registry.standard.indicator(IndicatorCall(name: "model", raw: raw)).parameters
    }

    func check(_ values: [Double], _ want: [Double?], _ what: String) {
        #expect(values.count == want.count)
        var compared = 0
        for (i, (got, w)) in zip(values, want).enumerated() {
            guard let w else {
                #expect(got.isNaN, "\(what): bar \(i) should be undefined, got \(got)")
                continue
            }
            let (excess, relative) = ModelFixtures.compare([Float(got)], [Float(w)])
            #expect(excess <= 0, "\(what): bar \(i) \(got) against \(w) (relative \(relative))")
            compared += 1
        }
        #expect(compared == want.count - (Self.expected.first_row + Self.expected.window - 1), "\(what)")
    }

    @Test func overAWindowEqualsTheModelOverTheLastWindowOfFeatures() throws {
        let p = try Self.parameters(model: Self.expected.window_model, mode: "window")
        var model = try ModelIndicator(parameters: p)
        #expect(!model.streams)
        check(model.run(over: Self.bars)[0], Self.expected.window_expected, "window")
    }

    @Test func streamingEqualsTheModelOverEveryPrefix() throws {
        let p = try Self.parameters(model: Self.expected.stream_model, mode: "stream")
        var model = try ModelIndicator(parameters: p)
        #expect(model.streams)
        // Streaming is asked for, never chosen: by default the model reads windows, as trained.
        #expect(
            try !ModelIndicator(parameters: Self.parameters(model: Self.expected.stream_model, mode: "window")).streams)
        check(model.run(over: Self.bars)[0], Self.expected.stream_expected, "stream")
    }

    @Test("a checkpoint mid-way resumes bit for bit", arguments: ["window", "stream"])
    func checkpointResumes(_ mode: String) throws {
        let model = mode == "window" ? Self.expected.window_model : Self.expected.stream_model
        let p = try Self.parameters(model: model, mode: mode)
        var whole = try ModelIndicator(parameters: p)
        let straight = whole.run(over: Self.bars)[0]
        for cut in [61, 130, 200] {
            var first = try ModelIndicator(parameters: p)
            let head = first.run(over: BarSeries((0..<cut).map { Self.bars[$0] }))[0]
            let data = try CheckpointCoding.encoder().encode(first)
            var resumed = try CheckpointCoding.decoder().decode(ModelIndicator.self, from: data)
            // The original goes on too: a copy shares nothing it writes.
            let tail = resumed.run(over: BarSeries((cut..<Self.bars.count).map { Self.bars[$0] }))[0]
            let alsoTail = first.run(over: BarSeries((cut..<Self.bars.count).map { Self.bars[$0] }))[0]
            #expect((head + tail).map(\.bitPattern) == straight.map(\.bitPattern), "\(mode) cut at \(cut)")
            #expect(alsoTail.map(\.bitPattern) == tail.map(\.bitPattern), "\(mode) cut at \(cut)")
        }
    }

    @Test func badParametersNameTheirField() throws {
        func error(_ extra: [String: ParameterValue], model: String = "torch_lstm_dynamo") -> SpecError? {
            do {
                _ = try ModelIndicator(parameters: try Self.parameters(model: model, mode: "window", extra: extra))
                return nil
            } catch let e as SpecError {
                return e
            } catch {
                return SpecError(field: "?", reason: "\(error)")
            }
        }
        #expect(error(["features": .string("close_return|rsx_14|volume|close")])?.field == "features")
        #expect(error(["features": .string("close_return|rsi_14_3_9|volume|close")])?.field == "features")
        #expect(error(["mean": .string("0|0")])?.field == "mean")
        #expect(error(["std": .string("1|1|0|1")])?.field == "std")
        #expect(error(["output": .int(1)])?.field == "output")
        let two = error(["features": .string("close|volume"), "mean": .string("0|0"), "std": .string("1|1")])
        #expect(two?.field == "window", "two features for a model of four")
        #expect(two?.reason.contains("does not fit [1, 60, 2]") == true, "\(two?.reason ?? "")")
        // Features after a dot-bearing parameter, an output by name, and one suffix only.
        #expect(error(["features": .string("bbands_20_2.5.upper|close|volume|close_diff_return")])?.field == "features")
        let conv = error(["mode": .string("stream")], model: "torch_conv_legacy")
        #expect(conv?.field == "mode")
        #expect(conv?.reason.hasPrefix("cannot stream: the model has no recurrent layer") == true)
        let missing = error(["path": .string("/nonexistent/m.onnx")])
        #expect(missing?.field == "path")
        #expect(missing?.reason.hasPrefix("cannot read model file /nonexistent/m.onnx") == true)
    }

    @Test func indicatorsAsFeatures() throws {
        // rsi_14 and macd_12_26_9.signal are the registry's indicators; _z on an indicator.
        let p = try Self.parameters(
            model: "torch_lstm_dynamo", mode: "window",
            extra: [
                "features": .string("rsi_14|macd_12_26_9.signal|close_z30|obv_diff"), "mean": .string("50|0|0|0"),
                "std": .string("10|1|1|100"),
            ])
        var model = try ModelIndicator(parameters: p)
        let values = model.run(over: Self.bars)[0]
        // Defined once MACD's signal (33 bars) and then a whole window are there.
        let first = try #require(values.firstIndex { !$0.isNaN })
        #expect(first == 33 + 60 - 1)
        #expect(values[first...].allSatisfy { $0.isFinite })
    }
}
