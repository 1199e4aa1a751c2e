import ATSEngine
import Foundation

/// How a model is fed, as its parameters say: which model, over how many bars of which features,
/// normalised how, laid out how, and whether its recurrent state is carried from bar to bar.
/// Shared by the `model` indicator and the `lstm` strategy.
public struct ModelSpec: Codable, Sendable, Equatable {
    enum Layout: String, Codable, Sendable, CaseIterable {
        /// [1, window, features]: batch, sequence, features (PyTorch's `batch_first=True`).
        case nsf
        /// [window, 1, features]: sequence first (PyTorch's recurrent default).
        case snf
        /// [1, features, window]: channels first, as a 1-D convolution reads.
        case nfs
        /// [1, window · features]: one row, bar after bar.
        case flat
    }

    var hash: String
    var window: Int
    var features: [String]
    var mean: [Double]
    var scale: [Double]
    var layout: Layout
    var streaming: Bool
    var output: Int

    /// Whether a component's parameters are a model's (the `model` indicator, the `lstm`
    /// strategy, and any custom component that declares ``parameters``).
    public static func runsModel(_ d: ComponentDescriptor) -> Bool {
        let names = Set(d.parameters.map(\.name))
        return names.isSuperset(of: ["name", "path", "hash", "window", "features"])
    }

    /// The parameters that say which model and how it is fed; a custom strategy or indicator that
    /// runs a model declares them (and builds a ``ModelIndicator`` from its parameters).
    public static let parameters: [ParameterSpec] = [
        .string("name", default: nil, "a model registered with `ats model add` (or name= on the cluster)"),
        .string("path", default: nil, "an ONNX file to read instead of a registered model"),
        .string("hash", default: nil, "the model's content hash (xxh3:…), as the cluster pins it"),
        .int("window", default: 60, range: 1...10_000, "bars the model reads (and warm-up bars when streaming)"),
        .string(
            "features", default: "close_return",
            "input columns, |-separated: bar fields or indicators (rsi_14), with _return, _logret, _diff or _z[N]"),
        .string("mean", default: nil, "per feature, |-separated: subtracted before the model (as trained)"),
        .string("std", default: nil, "per feature, |-separated: divided by after the mean (as trained)"),
        .choice("layout", default: "auto", ["auto"] + Layout.allCases.map(\.rawValue), "the model input's axes"),
        .choice(
            "mode", default: "window", ["window", "stream"],
            "window: the model over the last window bars each bar, as trained on windows; stream: a recurrent "
                + "model's state carried from bar to bar, one step a bar (the model over every bar so far)"),
        .int("output", default: 0, range: 0...1_000_000, "which element of the model's first output"),
    ]

    /// Resolves the model and checks every parameter against it; errors name the field.
    init(_ p: Parameters, library: ModelLibrary = .shared) throws(SpecError) {
        let resolved: (hash: String, graph: ONNXGraph)
        do {
            resolved = try library.resolve(
                name: p.optionalString("name"), path: p.optionalString("path"), hash: p.optionalString("hash"))
        } catch {
            let field = p.optionalString("hash") != nil ? "hash" : p.optionalString("path") != nil ? "path" : "name"
            throw SpecError(field: field, reason: error.message)
        }
        let graph = resolved.graph
        hash = resolved.hash
        window = p.int("window")
        features = p.string("features").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard !features.contains(where: \.isEmpty) else {
            throw SpecError(field: "features", reason: "an empty feature in \"\(p.string("features"))\"")
        }
        let count = features.count
        func numbers(_ field: String, _ metadataKey: String, _ fallback: Double) throws(SpecError) -> [Double] {
            guard let text = p.optionalString(field) ?? graph.metadata[metadataKey] else {
                return .init(repeating: fallback, count: count)
            }
            let parts = text.split(separator: "|").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == count, parts.allSatisfy({ $0?.isFinite == true }) else {
                throw SpecError(
                    field: field, reason: "needs \(count) numbers separated by |, one per feature, got \"\(text)\"")
            }
            return parts.map { $0! }
        }
        mean = try numbers("mean", "ats.mean", 0)
        scale = try numbers("std", "ats.std", 1)
        guard scale.allSatisfy({ $0 > 0 }) else { throw SpecError(field: "std", reason: "every std must be positive") }
        guard graph.inputs.count == 1 else {
            throw SpecError(
                field: "name", reason: "the model has \(graph.inputs.count) inputs; a model indicator feeds exactly one"
            )
        }
        let input = graph.inputs[0]
        if let l = Layout(rawValue: p.string("layout")) {
            layout = l
        } else {
            func fixed(_ i: Int) -> Int? {
                guard i < input.dimensions.count, case .fixed(let d) = input.dimensions[i] else { return nil }
                return d
            }
            switch input.dimensions.count {
            case 2: layout = .flat
            case 3 where fixed(1) == count && fixed(2) != count: layout = .nfs
            case 3 where fixed(0) == 1: layout = .nsf
            case 3 where fixed(1) == 1: layout = .snf
            case 3 where fixed(0) == nil && fixed(1) == nil:
                // Batch first or sequence first cannot be told from free axes: a wrong guess
                // would feed the window as a batch of single bars.
                throw SpecError(
                    field: "layout",
                    reason: "the model's input \(input.shapeText) does not say which axis is the batch: "
                        + "give layout=nsf (batch first) or layout=snf (sequence first)")
            default: layout = .nsf
            }
        }
        output = p.int("output")
        let mode = p.string("mode")
        streaming = false
        let windowShape = shape(rows: window)
        let program: ModelProgram
        do {
            program = try library.program(hash: hash, shape: windowShape, streaming: false)
        } catch {
            throw SpecError(
                field: "window",
                reason: "the model does not run on \(windowShape) (\(layout.rawValue)): \(error.message)")
        }
        guard program.outputs.first.map({ output < $0.count }) == true else {
            throw SpecError(
                field: "output", reason: "the model's first output has \(program.outputs.first?.count ?? 0) elements")
        }
        if mode == "stream" {
            if let why = streamingProblem(library) { throw SpecError(field: "mode", reason: "cannot stream: \(why)") }
            streaming = true
        }
    }

    /// The model hashes a checkpoint's model indicators name: each indicator's encoded spec
    /// (`"spec":{"features":[…],"hash":"xxh3:…"`, keys sorted as ``CheckpointCoding`` writes
    /// them), so a worker can fetch them before the checkpoint is decoded.
    public static func hashes(inCheckpoint data: [UInt8]) -> Set<String> {
        let text = String(decoding: data, as: UTF8.self)
        var out: Set<String> = []
        var rest = text[...]
        while let r = rest.range(of: "\"spec\":{\"features\":[") {
            rest = rest[r.upperBound...]
            guard let close = rest.firstIndex(of: "]") else { break }
            let after = rest[rest.index(after: close)...]
            let prefix = ",\"hash\":\"xxh3:"
            if after.hasPrefix(prefix) {
                let digits = after.dropFirst(prefix.count).prefix(16)
                if digits.count == 16, digits.allSatisfy(\.isHexDigit) { out.insert("xxh3:" + digits) }
            }
        }
        return out
    }

    /// The model input's shape for `rows` bars.
    func shape(rows: Int) -> [Int] {
        switch layout {
        case .nsf: [1, rows, features.count]
        case .snf: [rows, 1, features.count]
        case .nfs: [1, features.count, rows]
        case .flat: [1, rows * features.count]
        }
    }

    /// Why the model cannot carry its state from bar to bar, or nil when it can: it has a
    /// recurrent layer, compiles for one bar, and stepping through a window from its initial
    /// state gives what the whole window gives (checked on a fixed probe). Streaming then feeds
    /// it every bar so far, which is what a model trained statefully expects, not one trained on
    /// windows: it is asked for (`mode=stream`), never chosen.
    func streamingProblem(_ library: ModelLibrary) -> String? {
        guard layout == .nsf || layout == .snf else {
            return "layout \(layout.rawValue) has no sequence axis to step along"
        }
        guard let graph = library.graph(hash: hash),
            graph.nodes.contains(where: { $0.opType == "LSTM" || $0.opType == "GRU" })
        else {
            return "the model has no recurrent layer to carry"
        }
        let stepProgram: ModelProgram
        let windowProgram: ModelProgram
        do {
            stepProgram = try library.program(hash: hash, shape: shape(rows: 1), streaming: true)
            windowProgram = try library.program(hash: hash, shape: shape(rows: window), streaming: false)
        } catch {
            return error.message
        }
        var rng = SplitMix64(seed: 0x5EED_0F_F00D)
        let f = features.count
        let probe = (0..<(window * f)).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53) * 4 - 2) }
        let whole = ModelMemory(windowProgram)
        let input = whole.input()
        for i in 0..<probe.count { input[i] = probe[i] }
        whole.run()
        let stepped = ModelMemory(stepProgram)
        for t in 0..<window {
            let row = stepped.input()
            for k in 0..<f { row[k] = probe[t * f + k] }
            stepped.run()
        }
        let a = Array(whole.output())
        let b = Array(stepped.output())
        guard a.count == b.count else { return "one bar's output has \(b.count) elements, a window's \(a.count)" }
        for (x, y) in zip(a, b) where abs(x - y) > 1e-4 * abs(x) + 1e-6 {
            return
                "its answer over a window differs from its answer step by step (\(x) against \(y)): it reads more than its recurrent state"
        }
        return nil
    }
}
