import ATSShared
import PostgresNIO

/// A connection's job messages, persisted many to a transaction: what a worker streams (fills,
/// checkpoints, progress, releases) costs one commit per batch, not one per message, so a worker
/// handing back hundreds of jobs at once is done in a few commits.
extension JobStore {
    /// What persisting a batch did, for the caller to act on once it committed.
    public struct Persisted: Sendable, Equatable {
        public var fillsInserted = 0
        /// Jobs whose fills diverged (failed in the same transaction): stop them where they run.
        public var diverged: [JobLease] = []
        /// A job finished, failed or was given back: a scheduling pass is due.
        public var jobsEnded = false
        public var checkpointsDropped = 0

        public init() {}
    }

    /// Persists `messages` (job messages of one worker, in order) in one transaction.
    public func persist(_ messages: some Collection<WireMessage>, worker: String) async throws -> Persisted {
        let jobs = Array(Set(messages.compactMap { $0.jobHeader?.jobId })).sorted()
        return try await transaction { conn in
            // The jobs' rows first, in id order, as every transaction that changes several does
            // (a heartbeat renews all of a worker's leases): no two wait on each other in a cycle.
            try await conn.query("SELECT id FROM jobs WHERE id = ANY(\(jobs)) ORDER BY id FOR UPDATE", logger: logger)
            var out = Persisted()
            for message in messages {
                switch message {
                case .started(let m): try await started(m, on: conn)
                case .fills(let m):
                    let stored = try await insertFills(m, on: conn)
                    out.fillsInserted += stored.inserted
                    if !stored.diverged.isEmpty {
                        out.diverged.append(JobLease(jobId: m.header.jobId, epoch: m.header.epoch))
                    }
                case .checkpoint(let m):
                    if try await !saveCheckpoint(m, on: conn) { out.checkpointsDropped += 1 }
                case .progress(let m): try await progress(m, on: conn)
                case .finished(let m):
                    _ = try await finished(m, worker: worker, on: conn)
                    out.jobsEnded = true
                case .failed(let m):
                    _ = try await failed(m, worker: worker, on: conn)
                    out.jobsEnded = true
                case .reloadApplied(let m): _ = try await reloadApplied(m, on: conn)
                default:
                    throw StoreError.conflict("\(message.name) is not a job message")
                }
            }
            return out
        }
    }
}
