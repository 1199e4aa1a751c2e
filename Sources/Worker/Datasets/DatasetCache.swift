import ATSEngine
import ATSModels
import ATSShared
import ATSVenues
import Foundation
import Logging
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The data sets this worker has fetched, in a folder (`ATS_DATASET_CACHE_DIR`, which the worker
/// processes of one host may share), by content hash. A set it lacks is fetched
/// (``DatasetFetcher``: the object store or the coordinators), checked against its hash, and only
/// then moved into place; any number of jobs waiting for one set share one download. A set is held from
/// ``file(_:)`` until ``release(_:)`` (while a job opens it); the folder holds at most
/// `limitBytes`: the least recently used sets that nobody holds go first. Disk work (writing,
/// syncing, hashing) runs on the thread pool, not on this actor.
actor DatasetCache {
    /// The folder, confined like the data root (the files are opened through it).
    let root: DataRoot
    let limitBytes: Int64
    private let fetcher: DatasetFetcher
    private let logger: Logger

    private var downloads: [String: Task<Void, any Error>] = [:]
    private var lastUse: [String: UInt64] = [:]
    /// Jobs between ``file(_:)`` and ``release(_:)``, per set.
    private var holders: [String: Int] = [:]
    private var clock: UInt64 = 0

    init(
        directory: String, limitBytes: Int64, sources: [String], objectStore: S3Location? = nil, workerId: String,
        secret: String, logger: Logger, pool: NIOThreadPool = .singleton
    ) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        root = try DataRoot(directory)
        self.limitBytes = limitBytes
        fetcher = DatasetFetcher(
            root: root, sources: sources, objectStore: objectStore, workerId: workerId, secret: secret, pool: pool,
            logger: logger)
        self.logger = logger
        // Left behind by a fetch that never finished: `<file>.<pid>.partial` of a process that is
        // gone (another worker process of this host may be fetching into the folder now).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        where name.hasSuffix(".partial") {
            let parts = name.split(separator: ".")
            if parts.count >= 3, let pid = Int32(parts[parts.count - 2]), kill(pid, 0) == 0 || errno == EPERM {
                continue
            }
            try? FileManager.default.removeItem(atPath: root.path + "/" + name)
        }
    }

    /// Makes the trained model `hash` runnable in this process (``ModelLibrary``): read from this
    /// folder (`model-<hex>.onnx`), else fetched from a coordinator, checked against its hash and
    /// kept here. Jobs waiting for one model share one fetch.
    func ensureModel(_ hash: String) async throws {
        if ModelLibrary.shared.graph(hash: hash) != nil { return }
        guard hash.hasPrefix("xxh3:"), hash.count == 21, hash.dropFirst(5).allSatisfy(\.isHexDigit) else {
            throw DatasetError("\(hash) is not a model's content hash")
        }
        let file = root.path + "/model-" + hash.dropFirst(5) + ".onnx"
        if let bytes = FileManager.default.contents(atPath: file), ModelLibrary.hash(bytes) == hash {
            _ = try ModelLibrary.shared.add(bytes)
            return
        }
        let key = "model " + hash
        if let running = downloads[key] { return try await running.value }
        let fetcher = self.fetcher
        let task = Task {
            let bytes = try await fetcher.fetchModel(hash)
            do { _ = try ModelLibrary.shared.add(bytes) } catch {
                throw DatasetError("model \(hash): \(error)", final: true)
            }
            try? bytes.write(to: URL(fileURLWithPath: file), options: .atomic)
        }
        downloads[key] = task
        defer { downloads[key] = nil }
        try await task.value
    }

    /// The file (relative to ``root``) holding set `hash`, fetched first when missing. The set is
    /// held (never evicted by this process) until ``release(_:)``.
    func file(_ hash: String) async throws -> String {
        guard Self.isHash(hash) else { throw DatasetError("\(hash) is not a data set's content hash") }
        let name = Self.fileName(hash)
        clock += 1
        lastUse[hash] = clock
        holders[hash, default: 0] += 1
        do {
            if FileManager.default.fileExists(atPath: root.path + "/" + name) { return name }
            if let running = downloads[hash] {
                try await running.value
                return name
            }
            let fetcher = self.fetcher
            let task = Task { try await fetcher.fetch(hash) }
            downloads[hash] = task
            defer { downloads[hash] = nil }
            try await task.value
            evict()
            return name
        } catch {
            release(hash)
            throw error
        }
    }

    /// The job that asked for `hash` has opened it (or given up).
    func release(_ hash: String) {
        guard let n = holders[hash] else { return }
        holders[hash] = n > 1 ? n - 1 : nil
    }

    /// Removes a set whose file did not match its hash when loaded (changed on disk since), unless
    /// another job holds it now.
    func discard(_ hash: String) {
        guard Self.isHash(hash), holders[hash] == nil, downloads[hash] == nil else { return }
        try? FileManager.default.removeItem(atPath: root.path + "/" + Self.fileName(hash))
        lastUse[hash] = nil
    }

    static func fileName(_ hash: String) -> String { DatasetStore.objectName(hash) }

    /// `xxh3:` and 16 lower-case hex digits.
    static func isHash(_ s: String) -> Bool {
        s.hasPrefix("xxh3:") && s.count == 21
            && s.dropFirst(5).unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// The sets on disk with their sizes.
    private func held() -> [(hash: String, bytes: Int64)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.compactMap { name in
            guard name.hasSuffix(".bars") else { return nil }
            let hash = String(name.dropLast(5)).replacingOccurrences(of: "xxh3-", with: "xxh3:")
            var info = stat()
            guard Self.isHash(hash), stat(root.path + "/" + name, &info) == 0 else { return nil }
            return (hash, Int64(info.st_size))
        }
    }

    /// Removes the least recently used sets nobody holds until the folder fits its limit; sets not
    /// used by this process go first.
    private func evict() {
        var files = held()
        var total = files.reduce(0) { $0 + $1.bytes }
        files.sort { (lastUse[$0.hash] ?? 0) < (lastUse[$1.hash] ?? 0) }
        for file in files where total > limitBytes && holders[file.hash] == nil && downloads[file.hash] == nil {
            try? FileManager.default.removeItem(atPath: root.path + "/" + Self.fileName(file.hash))
            lastUse[file.hash] = nil
            total -= file.bytes
            logger.info(
                "data set evicted from the cache", metadata: ["hash": "\(file.hash)", "bytes": "\(file.bytes)"])
        }
    }
}
