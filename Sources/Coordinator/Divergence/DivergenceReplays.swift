import ATSEngine
import ATSShared
import Dispatch
import Synchronization

/// Where `ats job divergence` replays run: on their own thread, one at a time, never on the
/// coordinator's cooperative threads — a month of 1-second candles takes seconds to replay, and
/// those threads (two on a two-core machine) carry the worker sessions, the scheduler and every
/// other request. The last reports are kept by what they cover, so asking again costs nothing
/// until the job has traded on.
final class DivergenceReplays: Sendable {
    /// What a report depends on: the job's progress and revisions, its span, what was recorded.
    struct Key: Hashable {
        var job: Int64
        var status: String
        var barsDone: Int64
        var specRevision: Int64
        var originMs: Int64?
        var throughMs: Int64?
        var candles: Int
        var fills: Int
        var trades: Int
        var revisions: Int

        init(_ r: JobRecording) {
            job = r.job.id
            status = r.job.status.rawValue
            barsDone = r.job.barsDone
            specRevision = r.job.specRevision
            originMs = r.originMs
            throughMs = r.throughMs
            candles = r.candles.count
            fills = r.fills.count
            trades = r.trades.count
            revisions = r.revisions.count
        }
    }

    private let queue = DispatchQueue(label: "ats.divergence-replays")
    private let kept = Mutex<[(Key, DivergenceReport)]>([])
    let capacity: Int

    init(capacity: Int = 8) { self.capacity = capacity }

    func report(_ recording: JobRecording, registry: Registry) async throws -> DivergenceReport {
        let key = Key(recording)
        if let hit = kept.withLock({ list in list.first { $0.0 == key }?.1 }) { return hit }
        let report = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try DivergenceReplay.report(recording, registry: registry) })
            }
        }
        kept.withLock { list in
            list.removeAll { $0.0 == key }
            list.insert((key, report), at: 0)
            if list.count > capacity { list.removeLast(list.count - capacity) }
        }
        return report
    }
}
