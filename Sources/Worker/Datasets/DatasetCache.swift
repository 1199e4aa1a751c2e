import ATSEngine
import ATSShared
import ATSVenueConnector
import Foundation
import Logging
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The data sets this worker has fetched, in a folder (`ATS_DATASET_CACHE_DIR`, which the worker
/// processes of one host may share), by content hash. A set it lacks is fetched from the
/// coordinators' HTTP in signed range requests, checked against its hash, and only then moved into
/// place; any number of jobs waiting for one set share one download. A set is held from
/// ``file(_:)`` until ``release(_:)`` (while a job opens it); the folder holds at most
/// `limitBytes`: the least recently used sets that nobody holds go first. Disk work (writing,
/// syncing, hashing) runs on the thread pool, not on this actor.
actor DatasetCache {
    /// The folder, confined like the data root (the files are opened through it).
    let root: DataRoot
    let limitBytes: Int64
    private let sources: [String]
    private let workerId: String
    private let secret: String
    private let logger: Logger
    /// Bytes per range request.
    static let piece: Int64 = 8 << 20
    /// Rounds over every source before a fetch gives up, and the pause after each failed round.
    static let rounds = 3
    static let pause: Duration = .seconds(1)

    private var downloads: [String: Task<Void, any Error>] = [:]
    private var lastUse: [String: UInt64] = [:]
    /// Jobs between ``file(_:)`` and ``release(_:)``, per set.
    private var holders: [String: Int] = [:]
    private var clock: UInt64 = 0
    private let pool: NIOThreadPool

    init(
        directory: String, limitBytes: Int64, sources: [String], workerId: String, secret: String, logger: Logger,
        pool: NIOThreadPool = .singleton
    ) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        root = try DataRoot(directory)
        self.limitBytes = limitBytes
        self.sources = sources
        self.workerId = workerId
        self.secret = secret
        self.logger = logger
        self.pool = pool
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
            let task = Task {
                try await Self.fetch(hash, from: sources, into: root, as: (workerId, secret), pool, logger)
            }
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

    static func fileName(_ hash: String) -> String { hash.replacingOccurrences(of: ":", with: "-") + ".bars" }

    /// `xxh3:` and 16 lower-case hex digits.
    static func isHash(_ s: String) -> Bool {
        s.hasPrefix("xxh3:") && s.count == 21
            && s.dropFirst(5).unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    private static func fetch(
        _ hash: String, from sources: [String], into root: DataRoot, as worker: (id: String, secret: String),
        _ pool: NIOThreadPool, _ logger: Logger
    ) async throws {
        guard !sources.isEmpty else {
            throw DatasetError("no coordinator HTTP address to fetch from (ATS_COORDINATOR_HTTP)")
        }
        var problems: [String] = []
        for round in 0..<Self.rounds {
            if round > 0 { try await Task.sleep(for: Self.pause * round) }
            problems = []
            for source in sources {
                do {
                    let started = ContinuousClock.now
                    let bytes = try await fetch(hash, from: source, into: root, as: worker, pool)
                    logger.info(
                        "data set fetched",
                        metadata: [
                            "hash": "\(hash)", "from": "\(source)", "bytes": "\(bytes)",
                            "seconds": "\((ContinuousClock.now - started).seconds)",
                        ])
                    return
                } catch let e as DatasetError where e.final {
                    throw e
                } catch {
                    problems.append("\(source): \(error)")
                }
            }
            logger.warning("data set fetch failed", metadata: ["hash": "\(hash)", "why": "\(problems)"])
        }
        throw DatasetError("cannot fetch data set \(hash): \(problems.joined(separator: "; "))")
    }

    /// One source: the set in ranges into a partial file, checked, then renamed into place.
    private static func fetch(
        _ hash: String, from source: String, into root: DataRoot, as worker: (id: String, secret: String),
        _ pool: NIOThreadPool
    ) async throws -> Int64 {
        let client = try VenueHTTPClient(baseURL: source)
        defer { client.shutdown() }
        let target = "/worker/datasets/\(hash)"
        let final = root.path + "/" + Self.fileName(hash)
        let partial = final + ".\(getpid()).partial"
        let out = try await pool.runIfActive { () throws -> PartialFile in try PartialFile(partial) }
        defer { out.close() }
        var offset: Int64 = 0
        var total: Int64 = 1
        while offset < total {
            let time = Int64(Date().timeIntervalSince1970)
            let range = "bytes=\(offset)-\(offset + Self.piece - 1)"
            let reply = try await client.execute(
                method: .GET, target: target,
                headers: [
                    (
                        "Authorization",
                        WorkerRequestSignature.header(
                            secret: worker.secret, method: "GET", path: target, range: range, workerId: worker.id,
                            time: time)
                    ),
                    ("Range", range),
                ], timeout: .seconds(60))
            switch reply.status {
            case 206: break
            // Not final: another coordinator may answer (a set is never taken back while a job
            // names it, so a 404 everywhere means the job's set is gone).
            case 404: throw DatasetError("no data set \(hash) there (was it removed?)")
            case 401: throw DatasetError("refused this worker's signature (ATS_WORKER_TOKEN)")
            default: throw DatasetError("answered \(reply.status)")
            }
            guard let contentRange = reply.header("Content-Range"),
                let size = contentRange.split(separator: "/").last.flatMap({ Int64($0) }),
                contentRange.hasPrefix("bytes \(offset)-"), !reply.body.isEmpty
            else { throw DatasetError("sent a range that was not asked for") }
            // The bytes as the coordinator sent them: whoever altered them on the way cannot make
            // the MAC (the final hash then only confirms it).
            guard let mac = reply.header(WorkerRequestSignature.contentHeader),
                reply.body.withUnsafeBytes({
                    WorkerRequestSignature.isValidContent(
                        mac, secret: worker.secret, path: target, range: range, bytes: $0)
                })
            else { throw DatasetError("sent a range whose content MAC does not match (altered on the way?)") }
            total = size
            let body = reply.body
            try await pool.runIfActive { try out.write(body) }
            offset += Int64(reply.body.count)
        }
        // Synced, hashed and moved into place off the cooperative threads.
        try await pool.runIfActive {
            try out.sync()
            let data = try BarLoader.read(partial)
            let got = ReproducibilityStamp.hash(data)
            guard got == hash else { throw DatasetError("sent bytes that hash to \(got), not \(hash)") }
            guard rename(partial, final) == 0 else {
                throw DatasetError(
                    "cannot move \(partial) into place: \(String(cString: strerror(errno)))", final: true)
            }
        }
        return total
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
