/// What a worker holds against its capacity, and whether it may take one job more: `capacity`
/// jobs run at once, and a worker that holds a sweep's chunks ahead
/// (``WorkerCapability/chunksAhead``) also holds one chunk waiting behind each slot that no other
/// job holds. It starts that chunk the moment the one before ends, instead of idling while the
/// coordinator stores the records and assigns the next (docs/SWEEPS.md "Chunks held ahead").
///
/// The coordinator's scheduler and store and the worker itself apply this one rule.
public struct WorkerLoad: Sendable, Hashable {
    public var capacity: Int
    /// The worker holds chunks ahead.
    public var ahead: Bool
    /// The jobs it holds (running, or chunks waiting for a slot).
    public var jobs: Int
    /// Of them, a sweep's chunks.
    public var chunks: Int

    public init(capacity: Int, ahead: Bool = false, jobs: Int = 0, chunks: Int = 0) {
        self.capacity = capacity
        self.ahead = ahead
        self.jobs = jobs
        self.chunks = chunks
    }

    /// Slots free for any job (negative: over its capacity).
    public var free: Int { capacity - jobs }

    /// How many chunks more it takes: on a free slot, or waiting behind a running chunk (two per
    /// slot that holds no other job).
    public var chunksFree: Int { ahead ? 2 * (capacity - (jobs - chunks)) - chunks : free }

    public func admits(chunk: Bool) -> Bool { chunk ? chunksFree > 0 : free > 0 }

    public mutating func take(chunk: Bool) {
        jobs += 1
        if chunk { chunks += 1 }
    }
}
