import ATSEngine
import ATSShared
import Foundation
import NIOPosix

/// Loads each data file once and shares it between the jobs that use it; parsing and hashing run
/// on the worker's compute threads. Entries are keyed by the file's identity and version (device,
/// inode, size, modification and change times), so a changed file is read again; the cache holds
/// at most `limitBytes` of bars, dropping the least recently used files first.
actor BarCache {
    /// A loaded file: its bars and its content hash (XXH3, as stamps and checkpoints record it).
    struct Entry: Sendable {
        var bars: BarSeries
        var hash: String
        /// What the bars take in memory.
        var bytes: Int { bars.count * 64 }
    }

    private struct Slot {
        var task: Task<Entry, any Error>
        var bytes = 0
        var lastUse: UInt64
    }

    private var slots: [String: Slot] = [:]
    private var clock: UInt64 = 0
    private let pool: NIOThreadPool
    private let root: DataRoot
    /// Where data sets come from when a job names one.
    let datasets: DatasetCache
    let limitBytes: Int

    init(pool: NIOThreadPool, root: DataRoot, datasets: DatasetCache, limitBytes: Int) {
        self.pool = pool
        self.root = root
        self.datasets = datasets
        self.limitBytes = limitBytes
    }

    /// The bars a job's data names: a data set (fetched when this worker lacks it, and checked
    /// against the hash the job was pinned to), or a file under the data root.
    func bars(_ source: DataSource) async throws -> Entry {
        guard let set = source.set else { return try await bars(path: source.path, format: source.format) }
        guard let hash = source.hash else {
            throw DatasetError("data set \(set): the job was stored without its content hash; create it again")
        }
        // A file changed on disk since it was fetched is removed and fetched again, once; so is
        // one gone before it could be opened (another worker process sharing the folder evicted it).
        var problem = ""
        for _ in 0..<2 {
            let file = try await datasets.file(hash)
            let entry: Entry
            do {
                entry = try await bars(path: file, format: .catalog, in: datasets.root)
            } catch let e as DataError {
                await datasets.release(hash)
                problem = "the copy fetched cannot be read: \(e.reason)"
                continue
            }
            await datasets.release(hash)
            if entry.hash == hash { return entry }
            problem = "the copy fetched hashes to \(entry.hash), not \(hash)"
            await datasets.discard(hash)
        }
        throw DatasetError("data set \(set): \(problem)")
    }

    /// The bars of `relative` (a path under the data root, or under `root` when given).
    func bars(path relative: String, format: BarFormat?, in other: DataRoot? = nil) async throws -> Entry {
        // The file is opened (and confined) once here, to learn which version of it this is.
        let root = other ?? self.root
        let pool = self.pool
        let (data, identity) = try await pool.runIfActive { try root.read(relative) }
        let key = "\(identity)|\(format?.rawValue ?? "auto")"
        clock += 1
        if let slot = slots[key] {
            slots[key]?.lastUse = clock
            return try await slot.task.value
        }
        let task = Task {
            try await pool.runIfActive {
                Entry(
                    bars: try BarLoader.parse(data, file: relative, format: format),
                    hash: ReproducibilityStamp.hash(data))
            }
        }
        slots[key] = Slot(task: task, lastUse: clock)
        do {
            let entry = try await task.value
            slots[key]?.bytes = entry.bytes
            evict(keeping: key)
            return entry
        } catch {
            slots[key] = nil
            throw error
        }
    }

    /// Drops the least recently used loaded files until the cache fits its limit (the file just
    /// loaded stays, even alone over the limit: its job needs it).
    private func evict(keeping kept: String) {
        var total = slots.values.reduce(0) { $0 + $1.bytes }
        while total > limitBytes {
            guard
                let (key, slot) = slots.filter({ $0.key != kept && $0.value.bytes > 0 })
                    .min(by: { $0.value.lastUse < $1.value.lastUse })
            else { return }
            slots[key] = nil
            total -= slot.bytes
        }
    }

    /// Files held and the bytes of their bars.
    var usage: (files: Int, bytes: Int) { (slots.count, slots.values.reduce(0) { $0 + $1.bytes }) }
}
