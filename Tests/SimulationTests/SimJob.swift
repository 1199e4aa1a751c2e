import ATSEngine
import ATSShared
import ATSWorker

/// A job running on a simulated worker, stepped one bar at a time: the job runner's rules
/// (`JobRunner`) over ``SimStrategy``. It checks its lease before every bar and stops by itself
/// when the lease lapses, obeys stop and release requests, applies its definition's revisions at
/// their bars (``RevisionCursor``, the runner's own), sends its fills before each checkpoint, and
/// resumes from the checkpoint its assignment carries.
struct SimJob {
    enum Outcome: Equatable {
        case running
        case ended(String)
    }

    let lease: JobLease
    let bars: Int
    let checkpointEvery: Int
    /// The bar at which this job fails (a faulty strategy), if any.
    let failsAt: Int?
    var strategy: SimStrategy
    var cursor: Int
    var nextSeq: Int64
    var revisions: RevisionCursor
    var revision: Int64
    var request: WorkerConnection.Signal?
    var reload: (revision: Int64, config: [UInt8])?
    var unsent: [Fill] = []
    var started = false
    var lastCheckpoint: Int

    init(_ a: AssignJob, bars: Int, checkpointEvery: Int, failsAt: Int?) {
        lease = JobLease(jobId: a.jobId, epoch: a.epoch)
        self.bars = bars
        self.checkpointEvery = checkpointEvery
        self.failsAt = failsAt
        if a.checkpoint.isEmpty {
            strategy = SimStrategy(jobId: a.jobId)
            cursor = 0
            nextSeq = 0
        } else {
            (strategy, cursor, nextSeq) = SimStrategy.decode(a.checkpoint, jobId: a.jobId)
        }
        lastCheckpoint = cursor
        revisions = RevisionCursor(a)
        revision = revisions.revision
    }

    private func header(_ seq: UInt64) -> JobHeader {
        JobHeader(jobId: lease.jobId, epoch: lease.epoch, messageSeq: seq)
    }

    private mutating func flush(_ send: (WireMessage.Make) -> Void) {
        guard !unsent.isEmpty else { return }
        let fills = unsent
        let revision = revision
        unsent = []
        send { .fills(FillBatch(header: self.header($0), fills: fills, specRevision: revision)) }
    }

    private mutating func checkpoint(_ send: (WireMessage.Make) -> Void) {
        let state = strategy.encode(cursor: cursor, nextSeq: nextSeq)
        let (cursor, next, revision) = (Int64(cursor), nextSeq, revision)
        send {
            .checkpoint(
                CheckpointSaved(
                    header: self.header($0), cursor: cursor, nextFillSeq: next, state: state, specRevision: revision,
                    engineVersion: "sim", dataHash: "sim"))
        }
        lastCheckpoint = Int(cursor)
    }

    private mutating func progress(_ send: (WireMessage.Make) -> Void) {
        let (done, total) = (Int64(cursor), Int64(bars))
        send { .progress(JobProgress(header: self.header($0), barsDone: done, barsTotal: total, equity: 1)) }
    }

    /// One bar (or the end); messages go through `send`, which numbers them.
    mutating func step(leaseValid: Bool, send: (WireMessage.Make) -> Void) -> Outcome {
        if !started {
            started = true
            let total = Int64(bars)
            send { .started(JobStarted(header: self.header($0), barsTotal: total)) }
        }
        if cursor >= bars {
            // Resumed from its last checkpoint: nothing left to run.
            progress(send)
            send { .finished(JobFinished(header: self.header($0), outcome: .completed, statistics: [])) }
            return .ended("completed")
        }
        if !leaseValid || request == .release {
            // Self-fencing, or handed back: checkpoint and give the job back.
            flush(send)
            progress(send)
            checkpoint(send)
            send { .finished(JobFinished(header: self.header($0), outcome: .released, statistics: [])) }
            return .ended(leaseValid ? "released" : "fenced")
        }
        if request == .stop {
            flush(send)
            progress(send)
            checkpoint(send)
            send { .finished(JobFinished(header: self.header($0), outcome: .stopped, statistics: [])) }
            return .ended("stopped")
        }
        var live = reload
        while let due = revisions.next(
            at: cursor,
            live: { after in
                defer { live = nil }
                return live.flatMap { $0.revision > after ? $0 : nil }
            })
        {
            flush(send)
            strategy.config = due.config
            revision = due.revision
            let bar = Int64(cursor)
            send { .reloadApplied(ReloadApplied(header: self.header($0), revision: due.revision, bar: bar)) }
        }
        reload = live
        if let failsAt, cursor == failsAt {
            flush(send)
            send { .failed(JobFailed(header: self.header($0), error: "the strategy failed at bar \(failsAt)")) }
            return .ended("failed")
        }
        if let fill = strategy.bar(cursor, seq: nextSeq) {
            unsent.append(fill)
            nextSeq += 1
        }
        cursor += 1
        if unsent.count >= 3 { flush(send) }
        if cursor == bars {
            flush(send)
            progress(send)
            if lastCheckpoint != cursor { checkpoint(send) }
            send { .finished(JobFinished(header: self.header($0), outcome: .completed, statistics: [])) }
            return .ended("completed")
        }
        if cursor % checkpointEvery == 0 {
            flush(send)
            progress(send)
            checkpoint(send)
        }
        return .running
    }
}

extension WireMessage {
    /// Builds a message for the outbox sequence number it is given.
    typealias Make = (UInt64) -> WireMessage
}
