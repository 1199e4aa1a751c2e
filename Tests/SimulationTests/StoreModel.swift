import ATSCoordinator
import ATSEngine
import ATSShared

/// An in-memory model of the coordinator's PostgreSQL store: each method is one transaction with
/// the semantics of the SQL in `JobStore` (conditional updates by epoch and status, leases by
/// time, fills unique by sequence and compared when they come again, checkpoints unique by cursor,
/// revisions that take effect once). Time is the database's clock: the simulation's true time.
struct StoreModel {
    struct Job {
        let id: Int64
        var status: JobStatus = .pending
        var desired: DesiredState = .running
        var epoch: Int64 = 0
        var leaseOwner: String?
        var leaseExpiresAt: Int64?
        var specRevision: Int64 = 1
        /// The revision the current assignment carried (its schedule has every one up to it).
        var assignedRevision: Int64 = 0
        var lastError: String?
        /// A sweep's chunk (``WorkerLoad``: may wait on its worker behind a running chunk).
        var chunk = false
    }

    struct Revision {
        var revision: Int64
        var config: [UInt8]
        var effectiveBar: Int64?
        var effectiveEpoch: Int64?
    }

    struct StoredFill: Equatable {
        var fill: Fill
        var epoch: Int64
        var revision: Int64
    }

    struct Checkpoint {
        var cursor: Int64
        var epoch: Int64
        var nextFillSeq: Int64
        var state: [UInt8]
        var revision: Int64
    }

    struct Worker {
        var sessionId: String?
        var sessionOrder: Int64 = 0
        var connected = false
        var draining = false
        /// The last heartbeat's renewal: every job the worker holds runs at least this long.
        var leaseExpiresAt: Int64?
    }

    let leaseMs: Int64
    private(set) var jobs: [Int64: Job] = [:]
    private(set) var revisions: [Int64: [Revision]] = [:]
    private(set) var fills: [Int64: [Int64: StoredFill]] = [:]
    private(set) var checkpoints: [Int64: [Int64: Checkpoint]] = [:]
    private(set) var workers: [String: Worker] = [:]
    /// Audit events by kind (fill_diverged, stale_fills, ...).
    private(set) var events: [String: Int] = [:]
    private(set) var divergences: [String] = []

    init(leaseMs: Int64) { self.leaseMs = leaseMs }

    var sortedJobIds: [Int64] { jobs.keys.sorted() }

    // MARK: Operators

    mutating func create(id: Int64, config: [UInt8], chunk: Bool = false) {
        jobs[id] = Job(id: id, chunk: chunk)
        revisions[id] = [Revision(revision: 1, config: config, effectiveBar: nil)]
    }

    mutating func request(_ event: JobStateMachine.Event, job id: Int64, config: [UInt8] = []) {
        guard var job = jobs[id] else { return }
        let outcome = JobStateMachine.apply(event, to: job.status)
        if case .refused = outcome { return }
        switch event {
        case .stopRequested:
            job.desired = .stopped
            if case .transition(let s) = outcome { job.status = s }
        case .startRequested:
            job.desired = .running
            job.status = .pending
            job.lastError = nil
        case .reloadRequested:
            job.specRevision += 1
            revisions[id, default: []].append(Revision(revision: job.specRevision, config: config, effectiveBar: nil))
        default:
            return
        }
        jobs[id] = job
    }

    // MARK: Leases

    private mutating func release(_ ids: [Int64], where condition: (Job) -> Bool) -> [Int64] {
        var out: [Int64] = []
        for id in ids.sorted() {
            guard var job = jobs[id], job.status.isActive, condition(job) else { continue }
            job.status = job.desired == .running ? .pending : .stopped
            job.leaseOwner = nil
            job.leaseExpiresAt = nil
            jobs[id] = job
            out.append(id)
        }
        return out
    }

    func owned(by worker: String) -> [Job] {
        jobs.values.filter { $0.leaseOwner == worker && $0.status.isActive }.sorted { $0.id < $1.id }
    }

    /// `JobStore.connect`: registration and reconciliation in one transaction.
    /// nil: a newer connection of the worker registered first (`StoreError.conflict`).
    mutating func connect(_ hello: Hello, session: String, order: Int64, now: Int64) -> JobStore.Connection? {
        var w = workers[hello.workerId] ?? Worker()
        guard w.sessionOrder <= order else { return nil }
        w.sessionOrder = order
        w.sessionId = session
        w.connected = true
        workers[hello.workerId] = w
        var live = Set<JobLease>()
        var lapsed: [Int64] = []
        for job in owned(by: hello.workerId) {
            if let e = leaseExpiry(job), e > now {
                live.insert(JobLease(jobId: job.id, epoch: job.epoch))
            } else {
                lapsed.append(job.id)
            }
        }
        let runs = Set(hello.running)
        let keep = live.intersection(runs)
        for lease in keep { jobs[lease.jobId]?.leaseExpiresAt = now + leaseMs }
        let toRelease = lapsed + live.subtracting(runs).map(\.jobId)
        let released = release(toRelease) { $0.leaseOwner == hello.workerId }
        let stops = runs.subtracting(keep).sorted { $0.jobId < $1.jobId }
        return JobStore.Connection(drained: w.draining, stops: stops, released: released.sorted())
    }

    /// The hello's old ordering (before issue 16): register, then reconcile in a later
    /// transaction that renews every lease the worker names, lapsed or not.
    mutating func registerOnly(_ hello: Hello, session: String) -> JobStore.Connection {
        var w = workers[hello.workerId] ?? Worker()
        w.sessionId = session
        w.connected = true
        workers[hello.workerId] = w
        return JobStore.Connection(drained: w.draining)
    }

    mutating func releaseLegacy(_ worker: String, _ ids: [Int64]) -> [Int64] {
        release(ids) { $0.leaseOwner == worker }
    }

    /// `JobStore.leaseExpiry`: the later of the job's own grant and its worker's renewal.
    func leaseExpiry(_ job: Job) -> Int64? {
        let renewed = job.leaseOwner.flatMap { workers[$0]?.leaseExpiresAt }
        guard let own = job.leaseExpiresAt else { return renewed }
        return max(own, renewed ?? own)
    }

    /// One row: the worker's (a worker that never registered has none to renew).
    mutating func heartbeat(worker: String, now: Int64) {
        workers[worker]?.leaseExpiresAt = now + leaseMs
    }

    mutating func reap(sparing connected: Set<String>, now: Int64) -> [Int64] {
        let expired = jobs.values.filter {
            $0.status.isActive && (leaseExpiry($0) ?? 0) < now && !connected.contains($0.leaseOwner ?? "")
        }
        return release(expired.map(\.id)) { _ in true }
    }

    mutating func workerDisconnected(_ worker: String, session: String) {
        if workers[worker]?.sessionId == session { workers[worker]?.connected = false }
    }

    /// Oldest first, a sweep's chunks after every other job.
    func pendingJobs() -> [Scheduler.PendingJob] {
        jobs.values.filter { $0.status == .pending && $0.desired == .running }.sorted {
            ($0.chunk ? 1 : 0, $0.id) < ($1.chunk ? 1 : 0, $1.id)
        }.prefix(500).map { Scheduler.PendingJob(id: $0.id, labels: [], sweep: $0.chunk ? 1 : nil) }
    }

    func heldCounts() -> [String: (jobs: Int, chunks: Int)] {
        var out: [String: (jobs: Int, chunks: Int)] = [:]
        for job in jobs.values where job.status.isActive {
            if let o = job.leaseOwner { out[o, default: (0, 0)].jobs += 1 }
            if let o = job.leaseOwner, job.chunk { out[o, default: (0, 0)].chunks += 1 }
        }
        return out
    }

    /// `JobStore.assign`: bound to the connection's session and within the capacity (a chunk
    /// also behind a running one, on a worker that holds chunks ahead).
    mutating func assign(
        job id: Int64, to worker: String, session: String?, capacity: Int?, ahead: Bool, now: Int64
    ) -> AssignJob? {
        if let session {
            guard let w = workers[worker], w.sessionId == session, w.connected else { return nil }
            if let capacity {
                let owned = owned(by: worker)
                let load = WorkerLoad(
                    capacity: capacity, ahead: ahead, jobs: owned.count, chunks: owned.filter(\.chunk).count)
                guard load.admits(chunk: jobs[id]?.chunk ?? false) else { return nil }
            }
        }
        guard var job = jobs[id], job.status == .pending, job.desired == .running else { return nil }
        job.status = .assigned
        job.epoch += 1
        job.assignedRevision = job.specRevision
        job.leaseOwner = worker
        job.leaseExpiresAt = now + leaseMs
        jobs[id] = job
        var a = AssignJob(
            jobId: id, epoch: job.epoch, name: "job-\(id)", spec: [], checkpoint: [], specRevision: job.specRevision)
        a.sweepChunk = job.chunk
        var base: (cursor: Int64, revision: Int64)?
        var nextFillSeq: Int64 = 0
        if let cp = checkpoints[id]?.values.max(by: { $0.cursor < $1.cursor }) {
            a.checkpoint = cp.state
            a.checkpointRevision = cp.revision
            base = (cp.cursor, cp.revision)
            nextFillSeq = cp.nextFillSeq
        }
        let lastFillBar = fills[id]?.values.filter { $0.fill.seq >= nextFillSeq }.map { Int64($0.fill.barIndex) }.max()
        let plan = RevisionPlan(
            checkpoint: base,
            revisions: (revisions[id] ?? []).map {
                RevisionPlan.Revision(revision: $0.revision, strategyConfig: $0.config, effectiveBar: $0.effectiveBar)
            }, lastStoredFillBar: lastFillBar)
        a.schedule = plan.steps
        a.replayUntilBar = plan.replayUntilBar
        return a
    }

    mutating func unassign(job: Int64, epoch: Int64, worker: String) {
        _ = release([job]) { $0.leaseOwner == worker && $0.epoch == epoch && $0.status == .assigned }
    }

    func stopRequests() -> [(lease: JobLease, worker: String)] {
        sortedJobIds.compactMap { id in
            let j = jobs[id]!
            guard j.desired == .stopped, j.status.isActive, let o = j.leaseOwner else { return nil }
            return (JobLease(jobId: id, epoch: j.epoch), o)
        }
    }

    func reloadRequests() -> [(reload: ReloadJob, worker: String)] {
        sortedJobIds.compactMap { id in
            let j = jobs[id]!
            guard j.status.isActive, let o = j.leaseOwner, j.specRevision > j.assignedRevision,
                let r = revisions[id]?.first(where: { $0.revision == j.specRevision }), r.effectiveBar == nil
            else { return nil }
            return (ReloadJob(jobId: id, epoch: j.epoch, strategyConfig: r.config, revision: r.revision), o)
        }
    }

    // MARK: What workers report

    /// `JobStore.persist`: a batch of one worker's job messages in one transaction.
    mutating func persist(_ batch: [WireMessage], worker: String) -> JobStore.Persisted {
        var out = JobStore.Persisted()
        // Kind by kind, each job's messages in order, as `JobStore.persist` applies them.
        func rank(_ m: WireMessage) -> Int {
            switch m {
            case .started: 0
            case .reloadApplied: 1
            case .fills: 2
            case .progress: 3
            case .checkpoint: 4
            case .finished(let f) where f.outcome == .released: 5
            default: 6
            }
        }
        let ordered = batch.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
        // Only the jobs this worker holds the lease of, as read when the batch starts.
        let held = Set(jobs.values.filter { $0.leaseOwner == worker }.map(\.id))
        for message in ordered.map(\.element) {
            if let h = message.jobHeader, !held.contains(h.jobId) {
                if case .fills = message { events["stale_fills", default: 0] += 1 }
                continue
            }
            switch message {
            case .started(let m):
                if var j = jobs[m.header.jobId], j.epoch == m.header.epoch, j.status == .assigned {
                    j.status = .running
                    jobs[j.id] = j
                }
            case .fills(let m):
                let (inserted, diverged) = insertFills(m)
                out.fillsInserted += inserted
                if diverged { out.diverged.append(JobLease(jobId: m.header.jobId, epoch: m.header.epoch)) }
            case .checkpoint(let m):
                let id = m.header.jobId
                if jobs[id]?.epoch == m.header.epoch, checkpoints[id]?[m.cursor] == nil {
                    checkpoints[id, default: [:]][m.cursor] = Checkpoint(
                        cursor: m.cursor, epoch: m.header.epoch, nextFillSeq: m.nextFillSeq, state: m.state,
                        revision: m.specRevision)
                } else {
                    out.checkpointsDropped += 1
                }
            case .progress:
                break
            case .finished(let m):
                out.jobsEnded = true
                let h = m.header
                if m.outcome == .released {
                    _ = release([h.jobId]) { $0.leaseOwner == worker && $0.epoch == h.epoch }
                } else if var j = jobs[h.jobId], j.epoch == h.epoch, j.status.isActive {
                    j.status = m.outcome == .completed ? .completed : .stopped
                    j.leaseOwner = nil
                    j.leaseExpiresAt = nil
                    jobs[j.id] = j
                }
            case .failed(let m):
                out.jobsEnded = true
                if var j = jobs[m.header.jobId], j.epoch == m.header.epoch, j.status.isActive {
                    j.status = .failed
                    j.lastError = m.error
                    j.leaseOwner = nil
                    j.leaseExpiresAt = nil
                    jobs[j.id] = j
                }
            case .reloadApplied(let m):
                let id = m.header.jobId
                guard let j = jobs[id], j.epoch == m.header.epoch,
                    let k = revisions[id]?.firstIndex(where: { $0.revision == m.revision }),
                    revisions[id]![k].effectiveBar == nil
                else { continue }
                revisions[id]![k].effectiveBar = m.bar
                revisions[id]![k].effectiveEpoch = m.header.epoch
            default:
                continue
            }
        }
        return out
    }

    /// Fills are unique by (job, seq); one that comes again must carry the same values, or the
    /// job fails (`fill_diverged`).
    private mutating func insertFills(_ batch: FillBatch) -> (inserted: Int, diverged: Bool) {
        let h = batch.header
        guard jobs[h.jobId] != nil else { return (0, false) }
        guard jobs[h.jobId]?.epoch == h.epoch else {
            events["stale_fills", default: 0] += 1
            return (0, false)
        }
        var inserted = 0
        var differing: [String] = []
        for f in batch.fills {
            let incoming = StoredFill(fill: f, epoch: h.epoch, revision: batch.specRevision)
            if let stored = fills[h.jobId]?[f.seq] {
                if stored.fill != f || stored.revision != batch.specRevision {
                    differing.append(
                        "seq \(f.seq): stored bar \(stored.fill.barIndex) qty \(stored.fill.quantity) revision "
                            + "\(stored.revision) epoch \(stored.epoch), received bar \(f.barIndex) qty \(f.quantity) "
                            + "revision \(batch.specRevision) epoch \(h.epoch)")
                }
            } else {
                fills[h.jobId, default: [:]][f.seq] = incoming
                inserted += 1
            }
        }
        guard !differing.isEmpty else { return (inserted, false) }
        if var j = jobs[h.jobId], j.status != .failed, j.status != .completed {
            j.status = .failed
            j.desired = .stopped
            j.lastError = "fills diverged"
            j.leaseOwner = nil
            j.leaseExpiresAt = nil
            jobs[j.id] = j
        }
        events["fill_diverged", default: 0] += 1
        divergences.append("job \(h.jobId): " + differing.prefix(3).joined(separator: "; "))
        return (inserted, true)
    }
}
