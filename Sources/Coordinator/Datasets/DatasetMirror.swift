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
/// store was configured, or while it was away; a failed pass is tried again after 2 s, 4 s, … up
/// to the interval). PostgreSQL stays the record: a set is marked as stored only after the store
/// accepted its bytes under their SHA-256, and a worker takes a set from the store only when a
/// coordinator says it is there. A removed set's object is deleted with it (best effort: a failure
/// leaves an object nobody reads, which the log names).
final class DatasetMirror: Sendable {
    let client: S3Client
    let store: JobStore
    let leadership: Leadership
    let logger: Logger
    let interval: Duration
    private let wanted = Locked(true)

    init(
        location: S3Location, store: JobStore, leadership: Leadership, logger: Logger, interval: Duration = .seconds(60)
    )
        throws
    {
        client = try S3Client(location: location)
        self.store = store
        self.leadership = leadership
        self.logger = logger
        self.interval = interval
    }

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
            while !Task.isCancelled {
                let now = ContinuousClock.now
                let asked = self.wanted.withLock { w in
                    defer { w = false }
                    return w
                }
                if self.leadership.isLeader, asked || now >= due {
                    failures = await self.pass() ? 0 : failures + 1
                    let backoff = failures == 0 ? self.interval : min(.seconds(1 << min(failures, 6)), self.interval)
                    due = ContinuousClock.now + backoff
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
            missing = try await store.datasetsNotInObjectStore()
        } catch {
            logger.warning("could not list the data sets to put in the object store", metadata: ["error": "\(error)"])
            return false
        }
        var allStored = true
        for record in missing {
            do {
                let started = ContinuousClock.now
                let content = try await store.datasetContent(record, range: 0..<record.bytes)
                let bytes = Array(buffer: content)
                let sha256 = try await NIOThreadPool.singleton.runIfActive { S3Client.sha256(bytes) }
                if let stated = record.sha256, stated != sha256 {
                    throw DatasetMirrorError(
                        "the stored pieces hash to SHA-256 \(sha256), not the \(stated) recorded at registration")
                }
                try await client.put(DatasetStore.objectName(record.hash), body: bytes, sha256: sha256)
                guard try await store.markInObjectStore(record.hash, sha256: sha256) else {
                    // Removed while it was being put: its object goes too.
                    await removed(record.hash)
                    continue
                }
                logger.info(
                    "data set put in the object store",
                    metadata: [
                        "name": "\(record.name)", "hash": "\(record.hash)", "bytes": "\(record.bytes)",
                        "store": "\(client.location)", "seconds": "\((ContinuousClock.now - started).seconds)",
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
}

struct DatasetMirrorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
