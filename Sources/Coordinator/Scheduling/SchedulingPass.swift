import ATSShared

/// One scheduling pass as a pure state machine: expire lapsed leases, send the stop and reload
/// requests due (each once, ``RequestMemo``), then assign pending jobs (``Scheduler``) one
/// conditional transaction at a time. Each step is one action; the answer to it is the next event.
/// ``SchedulerService`` carries the actions out against the store and the hub; the simulator does
/// so against its models, interleaving each step with everything else that happens.
///
/// An assignment is made for one open connection of the worker (its session id and capacity are
/// checked in the same transaction) and sent on that connection only; if it is gone by then, the
/// job is taken back at once (the worker never got it), never left assigned to a worker that does
/// not run it.
public struct SchedulingPass: Sendable {
    /// A connection that takes jobs: its free slots, session and capacity.
    public struct OpenWorker: Sendable {
        public var slot: Scheduler.WorkerSlot
        public var sessionId: String
        public var capacity: Int

        public init(slot: Scheduler.WorkerSlot, sessionId: String, capacity: Int) {
            self.slot = slot
            self.sessionId = sessionId
            self.capacity = capacity
        }
    }

    public enum Action: Sendable {
        /// Release expired leases, sparing the workers connected now.
        case reap
        case readStopRequests
        case readReloadRequests
        /// Read the pending jobs, and the open connections with their free slots.
        case readPendingJobs
        /// Send a request or an assignment to a worker (`session`: on that connection only).
        case send(WireMessage, to: String, session: String?)
        /// Assign a pending job to a worker's connection, if still pending and within capacity
        /// (`ahead`: the worker holds a sweep's chunks ahead, ``WorkerLoad``).
        case assign(job: Int64, worker: String, session: String, capacity: Int, ahead: Bool)
        /// Take back an assignment that could not be sent.
        case unassign(job: Int64, epoch: Int64, worker: String)
        case done
    }

    public enum Event: Sendable {
        case reaped([Int64])
        /// `halts`: the kill switch holds these (flatten or not).
        case stopRequests([(lease: JobLease, worker: String)], halts: [JobLease: Bool] = [:])
        case reloadRequests([(reload: ReloadJob, worker: String)])
        case pending([Scheduler.PendingJob], open: [OpenWorker])
        /// nil: the job was not pending any more, or the connection or capacity did not hold.
        case assigned(AssignJob?)
        case sent(Bool)
        case unassigned
    }

    private enum Phase {
        case reaping, readingStops, readingReloads, readingPending, requesting, assigning, done
    }

    private var phase = Phase.reaping
    public let term: Int64
    private var requests: [(message: WireMessage, worker: String)] = []
    private var decisions: [Scheduler.Assignment] = []
    private var sessions: [String: OpenWorker] = [:]
    /// The assignment sent last, waiting for the send's outcome.
    private var inFlight: (assignment: AssignJob, worker: String)?
    /// What was sent last (a request), waiting for the send's outcome.
    private var lastRequest: WireMessage?
    public private(set) var expired: [Int64] = []
    public private(set) var assigned: [(job: Int64, worker: String, epoch: Int64, sent: Bool)] = []

    public init(term: Int64) { self.term = term }

    /// The first action; a new term forgets the requests sent under the last.
    public mutating func start(memo: inout RequestMemo) -> Action {
        memo.begin(term: term)
        phase = .reaping
        return .reap
    }

    public mutating func handle(_ event: Event, memo: inout RequestMemo) -> Action {
        switch (phase, event) {
        case (.reaping, .reaped(let ids)):
            expired = ids
            phase = .readingStops
            return .readStopRequests
        case (.readingStops, .stopRequests(let due, let halts)):
            // Remembered as sent only when sent (nextRequest): a pass abandoned before then (a
            // failed read, its deadline) must not make the next one skip them.
            for (lease, worker) in due {
                let flatten = halts[lease]
                requests.append(
                    (
                        .stop(
                            StopJob(
                                jobId: lease.jobId, epoch: lease.epoch,
                                reason: flatten == nil ? "stop requested" : "kill switch", halt: flatten != nil,
                                flatten: flatten ?? false)), worker
                    ))
            }
            phase = .readingReloads
            return .readReloadRequests
        case (.readingReloads, .reloadRequests(let due)):
            // Reloads are durable revisions: each is sent until the worker reports where it took
            // effect (a job assigned after the reload gets it in its assignment instead).
            for (reload, worker) in due { requests.append((.reload(reload), worker)) }
            phase = .requesting
            return nextRequest(memo: &memo)
        case (.requesting, .sent(let ok)):
            if !ok, let last = lastRequest { memo.unsent(last) }
            return nextRequest(memo: &memo)
        case (.readingPending, .pending(let pending, let open)):
            guard !pending.isEmpty else { return finish() }
            sessions = Dictionary(open.map { ($0.slot.id, $0) }) { a, _ in a }
            decisions = Scheduler.assign(pending: pending, workers: open.map(\.slot))
            phase = .assigning
            return nextAssignment()
        case (.assigning, .assigned(let a)):
            guard let a, let worker = decisions.first?.workerId else {
                decisions.removeFirst()
                return nextAssignment()
            }
            decisions.removeFirst()
            inFlight = (a, worker)
            return .send(.assign(a), to: worker, session: sessions[worker]?.sessionId)
        case (.assigning, .sent(let ok)):
            guard let (a, worker) = inFlight else { return finish() }
            inFlight = nil
            assigned.append((a.jobId, worker, a.epoch, ok))
            // Bound to the connection it was made for: if that one is gone, the job is taken back.
            if !ok { return .unassign(job: a.jobId, epoch: a.epoch, worker: worker) }
            return nextAssignment()
        case (.assigning, .unassigned):
            return nextAssignment()
        default:
            return finish()
        }
    }

    /// The next request not sent yet (each once per connection of its worker), remembered as
    /// sent as it goes.
    private mutating func nextRequest(memo: inout RequestMemo) -> Action {
        while !requests.isEmpty {
            let (message, worker) = requests.removeFirst()
            let fresh: Bool
            switch message {
            case .stop(let s):
                fresh = memo.admit(
                    stop: JobLease(jobId: s.jobId, epoch: s.epoch), to: worker, halt: s.halt, flatten: s.flatten)
            case .reload(let r): fresh = memo.admit(reload: r, to: worker)
            default: fresh = false
            }
            guard fresh else { continue }
            lastRequest = message
            return .send(message, to: worker, session: nil)
        }
        lastRequest = nil
        phase = .readingPending
        return .readPendingJobs
    }

    private mutating func nextAssignment() -> Action {
        guard let d = decisions.first, let open = sessions[d.workerId] else { return finish() }
        return .assign(
            job: d.jobId, worker: d.workerId, session: open.sessionId, capacity: open.capacity,
            ahead: open.slot.load.ahead)
    }

    private mutating func finish() -> Action {
        phase = .done
        return .done
    }
}
