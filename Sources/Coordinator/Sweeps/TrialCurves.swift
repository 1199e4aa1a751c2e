import ATSEngine
import ATSShared
import Dispatch
import Foundation
import Synchronization

/// Where a sweep's trials are run again for their equity curves (the dashboard's sweep page, the
/// sweep's HTML report): on their own thread, one at a time, never on the coordinator's
/// cooperative threads. The last data set's bars are kept (a trader clicks through one sweep's
/// leaderboard), and the last curves by sweep, trial and size.
final class TrialCurves: Sendable {
    struct Key: Hashable {
        var sweep: Int64
        var trial: Int
        var buckets: Int
    }

    private let queue = DispatchQueue(label: "ats.trial-curves")
    private let bars = Mutex<(hash: String, bars: BarSeries)?>(nil)
    private let kept = Mutex<[(Key, TrialCurve)]>([])
    let capacity: Int

    init(capacity: Int = 64) { self.capacity = capacity }

    /// Trial `key`'s curve: `run` over the set `hash`, whose catalog `load` reads (only when its
    /// bars are not kept; checked against the hash before use).
    func curve(
        _ key: Key, run: RunSpec, hash: String, registry: Registry, load: () async throws -> Data
    ) async throws -> TrialCurve {
        if let hit = kept.withLock({ list in list.first { $0.0 == key }?.1 }) { return hit }
        let series = bars.withLock { $0?.hash == hash ? $0?.bars : nil }
        let loaded = series == nil ? try await load() : nil
        let curve = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        var bars = series
                        if bars == nil, let loaded {
                            guard ReproducibilityStamp.hash(loaded) == hash else {
                                throw DataError(
                                    file: "data set \(hash)", line: 0, column: 0,
                                    reason: "its stored bytes are not its hash")
                            }
                            let parsed = try BarLoader.parse(loaded, file: "data set \(hash)", format: .catalog)
                            self.bars.withLock { $0 = (hash, parsed) }
                            bars = parsed
                        }
                        guard let bars else {
                            throw DataError(file: "data set \(hash)", line: 0, column: 0, reason: "not loaded")
                        }
                        return try TrialCurve.run(run, bars: bars, registry: registry, buckets: key.buckets)
                    })
            }
        }
        kept.withLock { list in
            list.removeAll { $0.0 == key }
            list.insert((key, curve), at: 0)
            if list.count > capacity { list.removeLast(list.count - capacity) }
        }
        return curve
    }
}
