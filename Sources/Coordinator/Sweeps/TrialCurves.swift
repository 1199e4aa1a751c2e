import ATSEngine
import ATSShared
import Dispatch
import Foundation
import Synchronization

/// Where a sweep's trials are run again for their equity curves (the dashboard's sweep page, the
/// sweep's HTML report): on their own thread, one at a time, never on the coordinator's
/// cooperative threads. Bounded: one load of a data set at a time per set (requests for it wait
/// for that load), the sets' bars kept within a memory budget (most recently used first), one run
/// per trial (requests for it wait for that run; each trial's curve kept, at one resolution that
/// every request is sampled from), and at most ``maximumPending`` runs waiting (more is
/// ``Busy``).
final class TrialCurves: Sendable {
    struct Key: Hashable {
        var sweep: Int64
        var trial: Int
    }

    /// The buckets a kept curve has; a request for fewer is sampled from it.
    static let resolution = 2_000
    /// Runs waiting or running at once.
    static let maximumPending = 8

    /// More runs are waiting than ``maximumPending``.
    struct Busy: Error, CustomStringConvertible {
        var description: String { "the coordinator is running \(TrialCurves.maximumPending) trials already: try again" }
    }

    private struct State {
        var curves: [(Key, TrialCurve)] = []
        var sets: [(hash: String, bars: BarSeries)] = []
        var runs: [Key: Task<TrialCurve, any Error>] = [:]
        var loads: [String: Task<BarSeries, any Error>] = [:]
    }

    private let queue = DispatchQueue(label: "ats.trial-curves")
    private let state = Mutex(State())
    /// Curves kept, and the bytes of bars kept (a set larger than this is used, not kept).
    let capacity: Int
    let budgetBytes: Int

    init(capacity: Int = 256, budgetBytes: Int = 512 << 20) {
        self.capacity = capacity
        self.budgetBytes = budgetBytes
    }

    /// Trial `key`'s curve at ``resolution``: `run` over the set `hash`, whose catalog `load`
    /// reads when its bars are not kept (checked against the hash before use).
    func curve(
        _ key: Key, run: RunSpec, hash: String, registry: Registry, load: @escaping @Sendable () async throws -> Data
    ) async throws -> TrialCurve {
        let task = try state.withLock { s -> Task<TrialCurve, any Error> in
            if let hit = s.curves.first(where: { $0.0 == key })?.1 { return Task { hit } }
            if let running = s.runs[key] { return running }
            guard s.runs.count < Self.maximumPending else { throw Busy() }
            let task = Task {
                defer { self.state.withLock { _ = $0.runs.removeValue(forKey: key) } }
                let bars = try await self.bars(hash, load: load)
                let curve = try await self.onQueue {
                    try TrialCurve.run(run, bars: bars, registry: registry, buckets: Self.resolution)
                }
                self.state.withLock { s in
                    s.curves.removeAll { $0.0 == key }
                    s.curves.insert((key, curve), at: 0)
                    if s.curves.count > self.capacity { s.curves.removeLast(s.curves.count - self.capacity) }
                }
                return curve
            }
            s.runs[key] = task
            return task
        }
        return try await task.value
    }

    /// The bars of set `hash`: kept, being loaded (waited for), or loaded now.
    private func bars(_ hash: String, load: @escaping @Sendable () async throws -> Data) async throws -> BarSeries {
        let task = state.withLock { s -> Task<BarSeries, any Error> in
            if let k = s.sets.firstIndex(where: { $0.hash == hash }) {
                let kept = s.sets.remove(at: k)
                s.sets.insert(kept, at: 0)
                return Task { kept.bars }
            }
            if let loading = s.loads[hash] { return loading }
            let task = Task {
                defer { self.state.withLock { _ = $0.loads.removeValue(forKey: hash) } }
                let data = try await load()
                let bars = try await self.onQueue {
                    guard ReproducibilityStamp.hash(data) == hash else {
                        throw DataError(
                            file: "data set \(hash)", line: 0, column: 0, reason: "its stored bytes are not its hash")
                    }
                    return try BarLoader.parse(data, file: "data set \(hash)", format: .catalog)
                }
                self.state.withLock { s in
                    s.sets.removeAll { $0.hash == hash }
                    s.sets.insert((hash, bars), at: 0)
                    // Within the budget, most recently used first (about 48 bytes a bar).
                    var used = 0
                    s.sets = s.sets.filter { set in
                        used += set.bars.count * 48
                        return used <= self.budgetBytes
                    }
                }
                return bars
            }
            s.loads[hash] = task
            return task
        }
        return try await task.value
    }

    private func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
