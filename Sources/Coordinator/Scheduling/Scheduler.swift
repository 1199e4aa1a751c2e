import ATSShared

/// Decides which pending job goes to which worker. Pure: the service feeds it a snapshot and
/// carries out its decisions, and the tests check the decisions directly.
///
/// Oldest job first; each goes to the eligible worker (every job label present, a free slot) with
/// the most free slots, ties to the lowest id, so load spreads evenly and decisions are stable.
public enum Scheduler {
    public struct PendingJob: Sendable, Hashable {
        public var id: Int64
        public var labels: [String]
        /// The sweep whose chunk it is (nil: a job of its own).
        public var sweep: Int64?

        public init(id: Int64, labels: [String], sweep: Int64? = nil) {
            self.id = id
            self.labels = labels
            self.sweep = sweep
        }
    }

    public struct WorkerSlot: Sendable, Hashable {
        public var id: String
        public var free: Int
        public var labels: Set<String>

        public init(id: String, free: Int, labels: Set<String>) {
            self.id = id
            self.free = free
            self.labels = labels
        }
    }

    public struct Assignment: Sendable, Hashable {
        public var jobId: Int64
        public var workerId: String
    }

    public static func assign(pending: [PendingJob], workers: [WorkerSlot]) -> [Assignment] {
        var slots = workers.sorted { $0.id < $1.id }
        var out: [Assignment] = []
        for job in pending {
            var best: Int?
            for k in slots.indices where slots[k].free > 0 && job.labels.allSatisfy(slots[k].labels.contains) {
                if best == nil || slots[k].free > slots[best!].free { best = k }
            }
            guard let k = best else { continue }
            slots[k].free -= 1
            out.append(Assignment(jobId: job.id, workerId: slots[k].id))
            if !slots.contains(where: { $0.free > 0 }) { break }
        }
        return out
    }
}
