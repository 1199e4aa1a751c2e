import ATSEngine
import ATSModels
import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Brings one data set into a cache folder: from the object store when one is configured and the
/// set is there (checked against the SHA-256 a coordinator states under its MAC), else from the
/// coordinators' HTTP in signed ranges (each range under a MAC of its bytes). The bytes go to a
/// partial file, are synced and checked against the set's hash, and only then renamed into place.
/// Disk work runs on the thread pool.
struct DatasetFetcher: Sendable {
    let root: DataRoot
    /// The coordinators' HTTP (`ATS_COORDINATOR_HTTP`).
    let sources: [String]
    /// The object store (`ATS_DATASET_S3_URL`), if any.
    let objectStore: S3Location?
    let workerId: String
    let secret: String
    let pool: NIOThreadPool
    let logger: Logger
    /// Bytes per range request.
    static let piece: Int64 = 8 << 20
    /// Rounds over every source before a fetch gives up, and the pause after each failed round.
    static let rounds = 3
    static let pause: Duration = .seconds(1)

    /// Fetches set `hash` into `root` under ``DatasetStore/objectName(_:)``.
    func fetch(_ hash: String) async throws {
        let objectStore = self.objectStore
        try await fromAnySource(
            "data set \(hash)",
            first: { problems in
                guard let objectStore else { return nil }
                do {
                    let started = ContinuousClock.now
                    guard let bytes = try await fetchFromObjectStore(hash, objectStore) else { return nil }
                    fetched(hash, from: objectStore.description, bytes: bytes, since: started)
                    return ()
                } catch let e as DatasetError where e.final {
                    throw e
                } catch {
                    // The coordinators have every set: the store being away or wrong costs time only.
                    logger.warning(
                        "data set not taken from the object store; asking a coordinator",
                        metadata: ["hash": "\(hash)", "store": "\(objectStore)", "why": "\(error)"])
                    problems.append("\(objectStore): \(error)")
                    return nil
                }
            },
            each: { source in
                let started = ContinuousClock.now
                let bytes = try await fetchFromCoordinator(hash, source)
                fetched(hash, from: source, bytes: bytes, since: started)
            })
    }

    /// `each` at every coordinator, round after round (``rounds``, pausing longer after each),
    /// until one succeeds; `first`, tried at the start of each round (the object store), may
    /// answer instead (nil: it did not). A final ``DatasetError`` ends the fetch at once; the
    /// others are listed in the error when every round failed.
    private func fromAnySource<T>(
        _ what: String, first: (inout [String]) async throws -> T? = { _ in nil },
        each: (String) async throws -> T
    ) async throws -> T {
        guard !sources.isEmpty else {
            throw DatasetError("no coordinator HTTP address to fetch from (ATS_COORDINATOR_HTTP)")
        }
        var problems: [String] = []
        for round in 0..<Self.rounds {
            if round > 0 { try await Task.sleep(for: Self.pause * round) }
            problems = []
            if let answer = try await first(&problems) { return answer }
            for source in sources {
                do {
                    return try await each(source)
                } catch let e as DatasetError where e.final {
                    throw e
                } catch {
                    problems.append("\(source): \(error)")
                }
            }
            logger.warning("fetch failed", metadata: ["what": "\(what)", "why": "\(problems)"])
        }
        throw DatasetError("cannot fetch \(what): \(problems.joined(separator: "; "))")
    }

    private func fetched(_ hash: String, from: String, bytes: Int64, since started: ContinuousClock.Instant) {
        logger.info(
            "data set fetched",
            metadata: [
                "hash": "\(hash)", "from": "\(from)", "bytes": "\(bytes)",
                "seconds": "\((ContinuousClock.now - started).seconds)",
            ])
    }

    /// From the object store, when a coordinator says the set is there: its SHA-256 comes with
    /// that answer. Nil: not in the store (yet).
    private func fetchFromObjectStore(_ hash: String, _ location: S3Location) async throws -> Int64? {
        // Only from this worker's own store (the leader's may have moved to another URL).
        guard let digest = try await digest(hash), digest.objectStore == location.description,
            let sha256 = digest.sha256
        else { return nil }
        let client = try S3Client(location: location)
        defer { client.shutdown() }
        let name = DatasetStore.objectName(hash)
        return try await download(hash, sha256: sha256) { offset in
            let (bytes, size) = try await client.get(name, range: offset..<(offset + Self.piece))
            guard size == digest.bytes else {
                throw DatasetError("the object store holds \(size) bytes for \(hash), not \(digest.bytes)")
            }
            return (bytes, size)
        }
    }

    /// What a coordinator states about a set (under a MAC of its bytes): its size, its SHA-256 and
    /// whether it is in the object store. Asked of each coordinator until one answers.
    private func digest(_ hash: String) async throws -> DatasetDigest? {
        var last: any Error = DatasetError("no coordinator answered")
        for source in sources {
            do {
                let client = try VenueHTTPClient(baseURL: source)
                defer { client.shutdown() }
                let reply = try await signedGet(client, "/worker/datasets/\(hash)/digest", range: "")
                switch reply.status {
                case 200: break
                case 404: return nil
                default: throw DatasetError("answered \(reply.status)")
                }
                return try JSONDecoder().decode(DatasetDigest.self, from: Data(reply.body))
            } catch let e as DatasetError where e.final {
                throw e
            } catch {
                last = error
            }
        }
        throw last
    }

    /// A trained model's file, whole, from the first coordinator that has it (under a MAC of its
    /// bytes), checked against its hash.
    func fetchModel(_ hash: String) async throws -> Data {
        try await fromAnySource(
            "model \(hash)",
            each: { source in
                let client = try VenueHTTPClient(baseURL: source)
                defer { client.shutdown() }
                let reply = try await signedGet(client, "/worker/models/\(hash)", range: "")
                guard reply.status == 200 else {
                    throw DatasetError(
                        reply.status == 404 ? "no model \(hash) there (was it removed?)" : "answered \(reply.status)")
                }
                let bytes = Data(reply.body)
                let got = ModelLibrary.hash(bytes)
                guard got == hash else { throw DatasetError("sent a model that hashes to \(got), not \(hash)") }
                logger.info(
                    "model fetched", metadata: ["hash": "\(hash)", "from": "\(source)", "bytes": "\(bytes.count)"])
                return bytes
            })
    }

    /// From one coordinator, in ranges each under a MAC of its bytes (one connection kept).
    private func fetchFromCoordinator(_ hash: String, _ source: String) async throws -> Int64 {
        let client = try VenueHTTPClient(baseURL: source)
        defer { client.shutdown() }
        return try await download(hash, sha256: nil) { offset in
            let range = "bytes=\(offset)-\(offset + Self.piece - 1)"
            let reply = try await signedGet(client, "/worker/datasets/\(hash)", range: range)
            switch reply.status {
            case 206: break
            // Not final: another coordinator may answer (a set is never taken back while a job
            // names it, so a 404 everywhere means the job's set is gone).
            case 404: throw DatasetError("no data set \(hash) there (was it removed?)")
            default: throw DatasetError("answered \(reply.status)")
            }
            guard let contentRange = reply.header("Content-Range"),
                let size = contentRange.split(separator: "/").last.flatMap({ Int64($0) }),
                contentRange.hasPrefix("bytes \(offset)-")
            else { throw DatasetError("sent a range that was not asked for") }
            return (reply.body, size)
        }
    }

    /// A GET to a coordinator signed with this worker's secret; an answer with a body must carry
    /// that body's MAC under the same secret (a forger on the network cannot make it).
    private func signedGet(_ client: VenueHTTPClient, _ target: String, range: String) async throws
        -> VenueHTTPResponse
    {
        let signature = WorkerRequestSignature.header(
            secret: secret, method: "GET", path: target, range: range, workerId: workerId,
            time: Int64(Date().timeIntervalSince1970))
        let reply = try await client.execute(
            method: .GET, target: target,
            headers: [("Authorization", signature)] + (range.isEmpty ? [] : [("Range", range)]), timeout: .seconds(60))
        if reply.status == 401 { throw DatasetError("refused this worker's signature (ATS_WORKER_TOKEN)") }
        guard reply.status == 200 || reply.status == 206 else { return reply }
        guard let mac = reply.header(WorkerRequestSignature.contentHeader),
            reply.body.withUnsafeBytes({
                WorkerRequestSignature.isValidContent(mac, secret: secret, path: target, range: range, bytes: $0)
            })
        else { throw DatasetError("sent an answer whose content MAC does not match (altered on the way?)") }
        return reply
    }

    /// Pieces from `read(offset)` (bytes, total size) into a partial file until the size is
    /// reached; then synced, checked (the set's hash; the SHA-256 when given) and renamed into
    /// place. Returns the size.
    private func download(
        _ hash: String, sha256: String?, read: (Int64) async throws -> (bytes: [UInt8], size: Int64)
    ) async throws -> Int64 {
        let final = root.path + "/" + DatasetStore.objectName(hash)
        let partial = final + ".\(getpid()).partial"
        let out = try await pool.runIfActive { () throws -> PartialFile in try PartialFile(partial) }
        defer { out.close() }
        var offset: Int64 = 0
        var total: Int64 = 1
        while offset < total {
            let (body, size) = try await read(offset)
            guard !body.isEmpty, offset + Int64(body.count) <= size else {
                throw DatasetError("sent a range that does not fit the set's \(size) bytes")
            }
            total = size
            try await pool.runIfActive { try out.write(body) }
            offset += Int64(body.count)
        }
        try await pool.runIfActive {
            try out.sync()
            let data = try BarLoader.read(partial)
            if let sha256 {
                let got = S3Client.sha256(data)
                guard got == sha256 else { throw DatasetError("sent bytes whose SHA-256 is \(got), not \(sha256)") }
            }
            let got = ReproducibilityStamp.hash(data)
            guard got == hash else { throw DatasetError("sent bytes that hash to \(got), not \(hash)") }
            guard rename(partial, final) == 0 else {
                throw DatasetError(
                    "cannot move \(partial) into place: \(String(cString: strerror(errno)))", final: true)
            }
        }
        return total
    }
}
