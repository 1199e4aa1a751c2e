import ATSCommon
import ATSEngine
import Synchronization

/// Sweep reports computed once per sweep, leaderboard size and stored chunks (the dashboard asks
/// every few seconds while a sweep runs, and a million trials take a second or two to fold): the
/// last few kept, with the best trial's return moments the research ledger's deflation needs.
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
    let capacity: Int

    init(capacity: Int = 32) { self.capacity = capacity }

    func entry(_ key: Key) -> Entry? { kept.withLock { list in list.first { $0.0 == key }?.1 } }

    func keep(_ key: Key, _ entry: Entry) {
        kept.withLock { list in
            list.removeAll { $0.0 == key }
            list.insert((key, entry), at: 0)
            if list.count > capacity { list.removeLast(list.count - capacity) }
        }
    }
}
