import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Puts every data set in the object store (`ATS_DATASET_S3_URL`), on the leader: at once after a
/// registration, and every ``interval`` for the sets still missing there (registered before the
/// store was configured or while it was away, or stored under another URL; a failed pass is tried
/// again after 2 s, 4 s, … up to the interval). PostgreSQL stays the record: a set is marked as
/// stored, with the store's URL, only after the store accepted its bytes under their SHA-256, and
/// a worker takes a set from the store only when a coordinator says it is in the worker's own
/// store. Every ``checkEvery`` the objects are looked at again (their size): one gone (deleted by
/// a person or a lifecycle rule) or changed is put there again. A removed set's object is deleted
/// with it (best effort: a failure leaves an object nobody reads, which the log names).
final class DatasetMirror: Sendable {
    let client: S3Client
    let store: JobStore
    let leadership: Leadership
    let logger: Logger
    let interval: Duration
    let checkEvery: Duration
    /// Sets larger than this go in parts of this size (a multipart upload); smaller ones in one `PUT`.
    let partBytes: Int64
    private let wanted = Locked(true)
    /// Sets too large for one `PUT`, already reported.
    private let tooLarge = Locked<Set<String>>([])

    init(
        location: S3Location, store: JobStore, leadership: Leadership, logger: Logger,
        interval: Duration = .seconds(60),
        checkEvery: Duration = .seconds(600),
        partBytes: Int64 = 16 << 20
    ) throws {
        client = try S3Client(location: location)
        self.store = store
        self.leadership = leadership
        self.logger = logger
        self.interval = interval
        self.checkEvery = checkEvery
        self.partBytes = partBytes
    }

    /// The store's URL, as recorded beside each set put there.
    var url: String { client.location.description }

    /// A set was registered: the next look (within a second) puts it in the store.
    func added() { wanted.withLock { $0 = true } }

    /// Deletes a removed set's object.
    func removed(_ hash: String) async {
        let name = DatasetStore.objectName(hash)
        do {
            try await client.delete(name)
            logger.info("data set deleted from the object store", metadata: ["hash": "\(hash)"])
        } catch {
            logger.warning(
                "could not delete a removed data set's object (delete it by hand)",
                metadata: ["object": "\(client.location.path(name))", "error": "\(error)"])
        }
    }

    func run() async {
        await cancelWhenGracefulShutdown {
            var failures = 0
            var due = ContinuousClock.now
            var checkDue = ContinuousClock.now + self.checkEvery
            while !Task.isCancelled {
                let asked = self.wanted.withLock { w in
                    defer { w = false }
                    return w
                }
                if self.leadership.isLeader {
                    if ContinuousClock.now >= checkDue {
                        await self.check()
                        checkDue = ContinuousClock.now + self.checkEvery
                    }
                    if asked || ContinuousClock.now >= due {
                        failures = await self.pass() ? 0 : failures + 1
                        let backoff =
                            failures == 0 ? self.interval : min(.seconds(1 << min(failures, 6)), self.interval)
                        due = ContinuousClock.now + backoff
                    }
                }
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { break }
            }
        }
        client.shutdown()
    }

    /// Puts each set not in the store yet there; false when one could not be.
    func pass() async -> Bool {
        let missing: [DatasetRecord]
        do {
            missing = try await store.datasets(inObjectStore: url, stored: false)
        } catch {
            logger.warning("could not list the data sets to put in the object store", metadata: ["error": "\(error)"])
            return false
        }
        var allStored = true
        // One set at a time, each read whole: the leader holds one set (and its buffer) at once.
        for record in missing {
            guard leadership.isLeader else { return true }
            guard record.bytes <= S3Client.largestObject else {
                if tooLarge.withLock({ $0.insert(record.hash).inserted }) {
                    logger.warning(
                        "a data set over 5 TiB is not put in the object store (workers fetch it from the coordinators)",
                        metadata: ["name": "\(record.name)", "bytes": "\(record.bytes)"])
                }
                continue
            }
            do {
                let started = ContinuousClock.now
                let sha256: String
                var parts: Int64 = 1
                if record.bytes > partBytes {
                    // In parts, each read from PostgreSQL when its turn comes: one part in memory.
                    // The store checks each part's SHA-256; the whole object's, computed on the
                    // way, must be the one recorded at registration (which every worker checks
                    // before using what it read); a set registered before SHA-256s were recorded
                    // takes the one computed.
                    sha256 = try await client.putInParts(
                        DatasetStore.objectName(record.hash), size: record.bytes, partSize: partBytes
                    ) { range in try await self.store.datasetContent(record, range: range) }
                    guard record.sha256 == nil || record.sha256 == sha256 else {
                        throw S3Error(
                            status: 0,
                            body: Array("<Message>the set's pieces no longer match its SHA-256</Message>".utf8))
                    }
                    parts = (record.bytes + partBytes - 1) / partBytes
                } else {
                    let content = try await store.datasetContent(record, range: 0..<record.bytes)
                    // The SHA-256 recorded at registration, which the store checks the bytes
                    // against (pieces changed since would be refused); computed here only for a
                    // set registered before it was recorded.
                    if let recorded = record.sha256 {
                        sha256 = recorded
                    } else {
                        sha256 = try await NIOThreadPool.singleton.runIfActive { S3Client.sha256(content) }
                    }
                    try await client.put(DatasetStore.objectName(record.hash), body: content, sha256: sha256)
                }
                guard try await store.markInObjectStore(record.hash, sha256: sha256, store: url) else {
                    // Removed while it was being put: its object goes too.
                    await removed(record.hash)
                    continue
                }
                logger.info(
                    "data set put in the object store",
                    metadata: [
                        "name": "\(record.name)", "hash": "\(record.hash)", "bytes": "\(record.bytes)",
                        "store": "\(url)", "parts": "\(parts)", "seconds": "\((ContinuousClock.now - started).seconds)",
                    ])
            } catch {
                allStored = false
                logger.warning(
                    "could not put a data set in the object store (tried again later; workers fetch it from the coordinators meanwhile)",
                    metadata: ["name": "\(record.name)", "hash": "\(record.hash)", "error": "\(error)"])
            }
        }
        return allStored
    }

    /// Looks at each stored set's object: one that is gone or of another size is marked as not
    /// stored, and the next pass puts it there again.
    func check() async {
        guard let stored = try? await store.datasets(inObjectStore: url, stored: true) else { return }
        for record in stored {
            guard leadership.isLeader else { return }
            do {
                let size = try await client.size(DatasetStore.objectName(record.hash))
                guard size != record.bytes else { continue }
                try await store.clearObjectStore(record.hash, store: url)
                wanted.withLock { $0 = true }
                logger.warning(
                    "a data set's object is gone from the object store or changed; putting it there again",
                    metadata: [
                        "name": "\(record.name)", "hash": "\(record.hash)",
                        "size": "\(size.map(String.init) ?? "none")",
                    ])
            } catch {
                logger.warning(
                    "could not look at a data set's object", metadata: ["hash": "\(record.hash)", "error": "\(error)"])
                return
            }
        }
    }
}
