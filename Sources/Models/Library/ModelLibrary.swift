import ATSEngine
import Foundation
import Synchronization

/// The models this process can run, by content hash (`xxh3:` and the XXH3-64 of the file, as
/// data sets), their names, and their compiled programs (one per model, input shape and mode,
/// shared by every indicator that runs it). Models come from the local store (``ModelStore``,
/// `ats model add`), from a file path, or — on a worker — from the coordinator.
public final class ModelLibrary: Sendable {
    public static let shared = ModelLibrary()

    struct ProgramKey: Hashable {
        var hash: String
        var shape: [Int]
        var streaming: Bool
    }

    struct State {
        var graphs: [String: ONNXGraph] = [:]
        var names: [String: String] = [:]
        var programs: [ProgramKey: ModelProgram] = [:]
        var indicators: Registry = .builtIn
    }

    private let state = Mutex(State())

    public init() {}

    /// The content hash a model file is known by.
    public static func hash(_ bytes: Data) -> String { "xxh3:" + XXH3.hex(bytes) }

    /// Reads a model (refusing one the executor cannot run) and keeps it; returns its hash.
    @discardableResult
    public func add(_ bytes: Data, name: String? = nil) throws(ModelError) -> (hash: String, graph: ONNXGraph) {
        let hash = Self.hash(bytes)
        if let g = state.withLock({ $0.graphs[hash] }) {
            if let name { state.withLock { $0.names[name] = hash } }
            return (hash, g)
        }
        let graph = try ONNXGraph(serialized: bytes)
        state.withLock {
            $0.graphs[hash] = graph
            if let name { $0.names[name] = hash }
        }
        return (hash, graph)
    }

    public func graph(hash: String) -> ONNXGraph? { state.withLock { $0.graphs[hash] } }

    /// The indicators a model's features may name (built-ins until the standard registry, with
    /// the custom modules, is set).
    public var indicators: Registry {
        get { state.withLock { $0.indicators } }
        set { state.withLock { $0.indicators = newValue } }
    }

    /// Finds a model by hash (kept here), by name (kept here, else the local store) or by path.
    public func resolve(name: String?, path: String?, hash: String?, store: ModelStore = .local) throws(ModelError)
        -> (hash: String, graph: ONNXGraph)
    {
        if let hash {
            if let g = graph(hash: hash) { return (hash, g) }
            if let bytes = store.bytes(hash: hash) {
                let added = try add(bytes)
                if added.hash == hash { return added }
            }
            throw ModelError("model \(hash) is not on this machine (register it with `ats model add`)")
        }
        if let path {
            let bytes: Data
            do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw ModelError("cannot read model file \(path): \(error.localizedDescription)")
            }
            return try add(bytes)
        }
        guard let name else { throw ModelError("name a model: name=, path= or hash=") }
        if let hash = state.withLock({ $0.names[name] }), let g = graph(hash: hash) { return (hash, g) }
        guard let entry = store.entry(named: name) else {
            let known = store.list().map(\.name)
            throw ModelError(
                "no model named \"\(name)\" in \(store.directory.path)"
                    + (known.isEmpty
                        ? " (none registered: `ats model add FILE --name \(name)`)"
                        : " (known: \(known.joined(separator: ", ")))"))
        }
        guard let bytes = store.bytes(hash: entry.hash) else {
            throw ModelError(
                "model \"\(name)\" (\(entry.hash)) is registered but its file is missing from \(store.directory.path)")
        }
        let added = try add(bytes, name: name)
        guard added.hash == entry.hash else {
            throw ModelError(
                "model \"\(name)\": the stored file's hash is \(added.hash), not \(entry.hash) as registered")
        }
        return added
    }

    /// The model compiled for one input shape and mode (compiled once, then shared).
    public func program(hash: String, shape: [Int], streaming: Bool) throws(ModelError) -> ModelProgram {
        let key = ProgramKey(hash: hash, shape: shape, streaming: streaming)
        if let p = state.withLock({ $0.programs[key] }) { return p }
        guard let graph = graph(hash: hash) else { throw ModelError("model \(hash) is not loaded") }
        guard graph.inputs.count == 1 else {
            throw ModelError("the model has \(graph.inputs.count) inputs; a model indicator feeds exactly one")
        }
        let program = try ModelProgram(graph: graph, inputShapes: [graph.inputs[0].name: shape], streaming: streaming)
        return state.withLock { s in
            if let p = s.programs[key] { return p }
            s.programs[key] = program
            return program
        }
    }
}
