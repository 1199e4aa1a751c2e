import ATSModels
import Foundation

/// The committed model fixtures (scripts/make_model_fixtures.py): ONNX files and, beside each,
/// its inputs and the reference outputs.
enum ModelFixtures {
    struct TensorData: Decodable {
        var shape: [Int]
        var data: [Double]
        var floats: [Float] { data.map { Float($0) } }
    }

    struct Case: Decodable {
        var reference: String?
        var inputs: [String: TensorData]
        var outputs: [String: TensorData]?
        var torch: [String: TensorData]?
        var prefixes: [Double]?
        var torch_prefixes: [Double]?
    }

    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent("models")
    }

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func model(_ name: String) throws -> ONNXGraph {
        try ONNXGraph(serialized: Data(contentsOf: directory.appendingPathComponent(name + ".onnx")))
    }

    static func fixture(_ name: String) throws -> Case {
        try JSONDecoder().decode(Case.self, from: Data(contentsOf: directory.appendingPathComponent(name + ".json")))
    }

    /// The largest error of `got` against `want` beyond numpy's `assert_allclose(rtol, atol)`
    /// (≤ 0 when within), and the largest relative error where |want| > 1e-3.
    static func compare(_ got: [Float], _ want: [Float], rtol: Float = 1e-5, atol: Float = 1e-6)
        -> (excess: Float, relative: Float)
    {
        var excess: Float = -.infinity
        var relative: Float = 0
        for (g, w) in zip(got, want) {
            let err = abs(g - w)
            excess = max(excess, err - (atol + rtol * abs(w)))
            if abs(w) > 1e-3 { relative = max(relative, err / abs(w)) }
            if g.isNaN != w.isNaN { excess = .infinity }
        }
        return (excess, relative)
    }
}
