import ATSShared
import Foundation
import Synchronization

/// Job definitions as decoded from their stored text, by that text: a definition changes only
/// when a reload writes a new one, while the job list decodes the same ones on every page (at
/// 10,000 jobs, decoding them was a third of the list's time in the coordinator). Bounded: full, it
/// starts again empty.
final class JobSpecCache: Sendable {
    static let shared = JobSpecCache()
    static let capacity = 20_000
    private let entries = Mutex<[String: JobSpec]>([:])

    /// The definition `text` holds (decoded once while it stays in the cache).
    func spec(_ text: String) throws -> JobSpec {
        if let hit = entries.withLock({ $0[text] }) { return hit }
        let spec = try JSONCoding.decoder().decode(JobSpec.self, from: Data(text.utf8))
        entries.withLock {
            if $0.count >= Self.capacity { $0.removeAll(keepingCapacity: true) }
            $0[text] = spec
        }
        return spec
    }
}
