import ATSShared

/// Decides which pending job goes to which worker. Pure: the service feeds it a snapshot and
/// carries out its decisions, and the tests check the decisions directly.
///
/// Oldest job first; each goes to the eligible worker (every job label present, a free slot) with
/// the most free slots, ties to the lowest id, so load spreads evenly and decisions are stable.
/// A sweep's chunk may also go to a worker that holds chunks ahead (``WorkerLoad``), to wait there
/// behind a running chunk: a free slot first, then the most chunks it takes. An ordinary job that
/// finds no free slot reserves every worker it could run on: none of them is given a chunk to
/// hold in that pass, so the job takes the first slot freed there once the chunks it holds now
/// have run (without it, every freed slot would go to the chunk held and a new one held behind).
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
        public var load: WorkerLoad
        public var labels: Set<String>

        public init(id: String, load: WorkerLoad, labels: Set<String>) {
            self.id = id
            self.load = load
            self.labels = labels
        }

        /// A worker with `free` slots that holds no chunk ahead.
        public init(id: String, free: Int, labels: Set<String>) {
            self.init(id: id, load: WorkerLoad(capacity: free), labels: labels)
        }

        public var free: Int { load.free }

        /// Which eligible worker a job goes to: the most free slots; for a chunk, a free slot
        /// first (it starts at once), then the most chunks taken.
        func rank(chunk: Bool) -> (Int, Int) {
            chunk ? (max(load.free, 0), load.chunksFree) : (load.free, 0)
        }
    }

    public struct Assignment: Sendable, Hashable {
        public var jobId: Int64
        public var workerId: String
    }

    public static func assign(pending: [PendingJob], workers: [WorkerSlot]) -> [Assignment] {
        var slots = workers.sorted { $0.id < $1.id }
        var out: [Assignment] = []
        var reserved = Set<Int>()
        for job in pending {
            let chunk = job.sweep != nil
            var best: Int?
            for k in slots.indices where job.labels.allSatisfy(slots[k].labels.contains) {
                let load = slots[k].load
                guard chunk && reserved.contains(k) ? load.free > 0 : load.admits(chunk: chunk) else { continue }
                if best == nil || slots[k].rank(chunk: chunk) > slots[best!].rank(chunk: chunk) { best = k }
            }
            guard let k = best else {
                if !chunk {
                    for k in slots.indices where job.labels.allSatisfy(slots[k].labels.contains) { reserved.insert(k) }
                }
                continue
            }
            slots[k].load.take(chunk: chunk)
            out.append(Assignment(jobId: job.id, workerId: slots[k].id))
            if !slots.contains(where: { $0.load.admits(chunk: true) }) { break }
        }
        return out
    }
}
