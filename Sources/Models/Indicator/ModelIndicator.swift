import ATSEngine
import Foundation

/// A trained model run over a window of features, bar by bar (the seed's AI indicator):
/// `model:name=btc-lstm,window=60,features=close_return|rsi_14|volume_z`. Features are computed
/// and normalised as declared, kept in a ring of the last `window` rows, and fed to the model;
/// a recurrent model whose answer step by step equals its answer over the window carries its
/// state instead (one step a bar; `mode=stream`, chosen by `auto` when it holds). The output is
/// one element of the model's first output (`output=k`), NaN until `window` rows were fed.
///
/// Checkpoints hold the features' state, the ring, and the recurrent state carried: a resumed
/// indicator continues bit for bit (the model itself is found again by its hash).
public struct ModelIndicator: Indicator {
    public static let descriptor = IndicatorDescriptor(
        name: "model", summary: "A trained ONNX model over a window of features (LSTM, GRU, MLP, 1-D convolution).",
        parameters: ModelSpec.parameters, outputs: ["value"])

    var spec: ModelSpec
    var features: [ModelFeature]
    /// The last `window` normalised rows, oldest at `head` (features.count values each).
    var rows: [Double]
    var head = 0
    var fed = 0
    var value = Double.nan
    /// Scratch for one bar's feature values.
    var current: [Double]
    var memory: ModelMemory

    public init(parameters p: Parameters) throws(SpecError) {
        try self.init(spec: ModelSpec(p))
    }

    init(spec: ModelSpec) throws(SpecError) {
        self.spec = spec
        let registry = ModelLibrary.shared.indicators
        var features: [ModelFeature] = []
        for text in spec.features {
            features.append(try ModelFeature(parsing: text, window: spec.window, registry: registry))
        }
        self.features = features
        rows = .init(repeating: 0, count: spec.window * features.count)
        current = .init(repeating: 0, count: features.count)
        do {
            memory = ModelMemory(try Self.program(spec))
        } catch {
            throw SpecError(field: "name", reason: error.message)
        }
    }

    static func program(_ spec: ModelSpec) throws(ModelError) -> ModelProgram {
        try ModelLibrary.shared.program(
            hash: spec.hash, shape: spec.shape(rows: spec.streaming ? 1 : spec.window), streaming: spec.streaming)
    }

    /// Whether the model carries its recurrent state from bar to bar.
    public var streams: Bool { spec.streaming }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        let f = features.count
        var defined = true
        for k in 0..<f {
            let x = features[k].update(bar)
            current[k] = (x - spec.mean[k]) / spec.scale[k]
            if !current[k].isFinite { defined = false }
        }
        // A bar without every feature adds no row; its output is not defined (the last one
        // stands in `output`, but nothing should act on it again).
        guard defined else { return false }
        if !isKnownUniquelyReferenced(&memory) { memory = memory.copy() }
        let window = spec.window
        if spec.streaming {
            let input = memory.input()
            for k in 0..<f { input[k] = Float(current[k]) }
            memory.run()
            fed += 1
            value = fed >= window ? Double(memory.output()[spec.output]) : .nan
            return !value.isNaN
        }
        // The ring: overwrite the oldest row.
        let slot = fed < window ? fed : head
        for k in 0..<f { rows[slot * f + k] = current[k] }
        if fed >= window { head = (head + 1) % window }
        fed += 1
        guard fed >= window else { return false }
        let input = memory.input()
        let oldest = fed > window ? head : 0
        switch spec.layout {
        case .nsf, .snf, .flat:
            var i = 0
            for t in 0..<window {
                let r = (oldest + t) % window * f
                for k in 0..<f {
                    input[i] = Float(rows[r + k])
                    i += 1
                }
            }
        case .nfs:
            for t in 0..<window {
                let r = (oldest + t) % window * f
                for k in 0..<f { input[k * window + t] = Float(rows[r + k]) }
            }
        }
        memory.run()
        value = Double(memory.output()[spec.output])
        return true
    }

    public func output(_ k: Int) -> Double { value }

    enum CodingKeys: String, CodingKey { case spec, features, rows, head, fed, value, carried }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spec = try c.decode(ModelSpec.self, forKey: .spec)
        features = try c.decode([ModelFeature].self, forKey: .features)
        rows = try c.decode([Double].self, forKey: .rows)
        head = try c.decode(Int.self, forKey: .head)
        fed = try c.decode(Int.self, forKey: .fed)
        value = try c.decode(Double.self, forKey: .value)
        current = .init(repeating: 0, count: features.count)
        let program: ModelProgram
        do {
            if ModelLibrary.shared.graph(hash: spec.hash) == nil {
                _ = try ModelLibrary.shared.resolve(name: nil, path: nil, hash: spec.hash)
            }
            program = try Self.program(spec)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .spec, in: c, debugDescription: error.message)
        }
        memory = ModelMemory(program)
        let carried = try c.decode([Float].self, forKey: .carried)
        guard rows.count == spec.window * features.count, memory.restoreCarriedState(carried) else {
            throw DecodingError.dataCorruptedError(
                forKey: .carried, in: c, debugDescription: "state does not fit the model")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spec, forKey: .spec)
        try c.encode(features, forKey: .features)
        try c.encode(rows, forKey: .rows)
        try c.encode(head, forKey: .head)
        try c.encode(fed, forKey: .fed)
        try c.encode(value, forKey: .value)
        try c.encode(memory.carriedState, forKey: .carried)
    }
}
