import ATSCommon
import ATSEngine
import Synchronization

/// Sweep reports computed once per sweep, leaderboard size and stored chunks (the dashboard asks
/// every few seconds while a sweep runs, and a million trials take seconds to fold): the last few
/// kept, with the best trial's return moments the research ledger's deflation needs; and the
/// folds they came from, so that the next report of a running sweep reads only the chunks stored
/// since (a few MB each: the best K trials and the PBO sample).
final class SweepReports: Sendable {
    struct Key: Hashable {
        var sweep: Int64
        var chunks: Int64
        var trials: Int64
        var top: Int
    }

    struct Entry: Sendable {
        var report: SweepReport
        var best: ReturnMoments?
    }

    private let kept = Mutex<[(Key, Entry)]>([])
    private let partials = Mutex<[(sweep: Int64, top: Int, folded: FoldedTrials<SweepSummary.Accumulator>)]>([])
    let capacity: Int
    /// Folds kept (each holds up to its top K trials and ~10,000 trials' block sums).
    let partialCapacity: Int

    init(capacity: Int = 32, partialCapacity: Int = 8) {
        self.capacity = capacity
        self.partialCapacity = partialCapacity
    }

    func partial(sweep: Int64, top: Int) -> FoldedTrials<SweepSummary.Accumulator>? {
        partials.withLock { list in list.first { $0.sweep == sweep && $0.top == top }?.folded }
    }

    func keep(partial folded: FoldedTrials<SweepSummary.Accumulator>, sweep: Int64, top: Int) {
        partials.withLock { list in
            // A fold of more chunks replaces one of fewer (two requests may fold at once).
            if let old = list.first(where: { $0.sweep == sweep && $0.top == top }),
                old.folded.chunks.count > folded.chunks.count
            {
                return
            }
            list.removeAll { $0.sweep == sweep && $0.top == top }
            list.insert((sweep, top, folded), at: 0)
            if list.count > partialCapacity { list.removeLast(list.count - partialCapacity) }
        }
    }

    func entry(_ key: Key) -> Entry? { kept.withLock { list in list.first { $0.0 == key }?.1 } }

    func keep(_ key: Key, _ entry: Entry) {
        kept.withLock { list in
            list.removeAll { $0.0 == key }
            list.insert((key, entry), at: 0)
            if list.count > capacity { list.removeLast(list.count - capacity) }
        }
    }
}
