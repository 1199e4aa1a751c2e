import Foundation

/// Models registered on this machine (`ats model add`): each file under its content hash in a
/// directory, and an index of names. The directory is `ATS_MODEL_DIR`, else `~/.ats/models`.
public struct ModelStore: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var hash: String
        public var bytes: Int
        public var added: Date
    }

    public var directory: URL

    public init(directory: URL) { self.directory = directory }

    public static var local: ModelStore {
        if let dir = ProcessInfo.processInfo.environment["ATS_MODEL_DIR"], !dir.isEmpty {
            return ModelStore(directory: URL(fileURLWithPath: dir))
        }
        let home = FileManager.default.homeDirectoryForCurrentUser
        return ModelStore(directory: home.appendingPathComponent(".ats/models"))
    }

    private var indexURL: URL { directory.appendingPathComponent("index.json") }

    private func fileURL(_ hash: String) -> URL {
        directory.appendingPathComponent(hash.replacingOccurrences(of: "xxh3:", with: "") + ".onnx")
    }

    public func list() -> [Entry] {
        guard let data = try? Data(contentsOf: indexURL) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return ((try? decoder.decode([Entry].self, from: data)) ?? []).sorted { $0.name < $1.name }
    }

    public func entry(named name: String) -> Entry? { list().first { $0.name == name } }

    public func bytes(hash: String) -> Data? {
        guard hash.hasPrefix("xxh3:"), hash.dropFirst(5).allSatisfy(\.isHexDigit) else { return nil }
        return try? Data(contentsOf: fileURL(hash))
    }

    /// Registers a model file under `name` after reading it (an unsupported operator is refused
    /// here, by name). A name already taken is moved to the new model only with `replace`.
    @discardableResult
    public func add(_ bytes: Data, name: String, replace: Bool = false) throws -> (entry: Entry, graph: ONNXGraph) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ModelError("a model name is letters, digits, '-', '_' and '.', got \"\(name)\"")
        }
        let graph = try ONNXGraph(serialized: bytes)
        let hash = ModelLibrary.hash(bytes)
        var entries = list()
        if let existing = entries.first(where: { $0.name == name }), existing.hash != hash, !replace {
            throw ModelError(
                "the name \"\(name)\" is taken by \(existing.hash); pass --replace to point it at this model")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try bytes.write(to: fileURL(hash), options: .atomic)
        entries.removeAll { $0.name == name }
        let entry = Entry(name: name, hash: hash, bytes: bytes.count, added: Date())
        entries.append(entry)
        try write(entries)
        return (entry, graph)
    }

    /// Removes a name; the file goes when no other name points at it.
    public func remove(name: String) throws {
        var entries = list()
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ModelError("no model named \"\(name)\" in \(directory.path)")
        }
        entries.removeAll { $0.name == name }
        try write(entries)
        if !entries.contains(where: { $0.hash == entry.hash }) {
            try? FileManager.default.removeItem(at: fileURL(entry.hash))
        }
    }

    private func write(_ entries: [Entry]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(entries.sorted { $0.name < $1.name }).write(to: indexURL, options: .atomic)
    }
}
