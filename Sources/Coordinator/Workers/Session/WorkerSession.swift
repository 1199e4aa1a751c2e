import ATSShared

/// The coordinator's side of one worker connection, from a hello that passed its checks to the
/// connection's end, as a pure state machine: events in (frames, and the answers to what it asked
/// for), actions out. ``WorkerServer`` carries the actions out against the hub, the store and the
/// socket; the deterministic simulator (Tests/SimulationTests) carries them out against its models.
///
/// The order it enforces is what makes a hello safe (issue 16, defect 5):
/// 1. claim the worker id in the hub (a second process under it is refused);
/// 2. register and reconcile in one store transaction (``JobStore/connect(_:session:)``), bound to
///    this connection's session id, which every assignment checks;
/// 3. only then `Welcome` (always the first frame after the challenge), the stops reconciliation
///    found, and open: the connection takes jobs and its messages are persisted.
///
/// Once open, job messages are persisted in order, in batches (one in flight, one cumulative ack
/// each), and heartbeats renew the leases (one renewal in flight, the newest waiting one next), so
/// a renewal never waits behind a backlog of fills. Any broken rule or failed store call closes the
/// connection; the worker reconnects and resends what was not acknowledged.
public struct WorkerSession: Sendable {
    public enum Event: Sendable {
        /// The hub gave this connection the worker id.
        case claimed(connection: UInt64, sessionId: String)
        /// Another process holds the worker id.
        case duplicate(host: String)
        /// The store registered the connection and reconciled the worker's leases.
        case connected(JobStore.Connection)
        /// A frame from the worker.
        case frame(WireMessage)
        /// The batch in flight is committed.
        case persisted(JobStore.Persisted)
        /// The renewal in flight is committed (the heartbeat it answers).
        case renewed(Heartbeat)
        /// A store call failed: the connection closes.
        case failed(String)
        /// The connection ended (end of stream, a read error, or its outbox ended).
        case closed
    }

    public enum Action: Sendable {
        /// Claim the worker id in the hub.
        case claim
        /// Register and reconcile in one transaction, for this session id.
        case connect(sessionId: String)
        /// Queue a frame for the worker.
        case send(WireMessage)
        /// The connection takes jobs now: open it in the hub, forget the requests sent to the
        /// worker's previous connection, schedule.
        case open(JobStore.Connection)
        /// Persist these job messages in one transaction.
        case persist([WireMessage])
        /// Renew the worker's leases.
        case renew(Heartbeat)
        /// The worker drains: assign it nothing more (before what follows is persisted).
        case markDraining
        /// A job of this worker failed in the store (its fills diverged).
        case diverged(JobLease)
        /// A job ended: a scheduling pass is due.
        case schedule
        /// Close the connection (after what was queued for it), for this reason.
        case close(String)
        /// Give up the worker id, if this connection still holds it, and record the disconnection
        /// of this session (a newer session of the worker stays connected).
        case disconnect(connection: UInt64, sessionId: String)
    }

    public enum Phase: Sendable, Equatable {
        case claiming
        case connecting
        case open
        case closed
    }

    public struct Limits: Sendable {
        /// Messages per transaction at most: few commits for many small messages, yet row locks
        /// held briefly (a heartbeat's renewal waits for the batch holding its jobs).
        public var batchMessages = 64
        /// Fills per transaction at most (the first message always goes).
        public var batchFills = 10_000
        /// Job messages read but not persisted, before the connection is closed.
        public var backlog = 65_536

        public init() {}
    }

    public let hello: Hello
    let welcome: Welcome
    let limits: Limits
    public private(set) var phase = Phase.claiming
    public private(set) var connection: UInt64?
    public private(set) var sessionId: String?
    private var rules: WorkerSessionRules
    private var queue: [WireMessage] = []
    private var queueHead = 0
    /// The last `message_seq` of the batch being persisted (nil: none in flight).
    private var persisting: UInt64??
    private var renewing = false
    private var nextBeat: Heartbeat?

    /// - Parameters:
    ///   - rules: the frame rules that accepted the hello (they check every later frame).
    ///   - welcome: what to answer once the worker is reconciled.
    public init(hello: Hello, rules: WorkerSessionRules, welcome: Welcome, limits: Limits = Limits()) {
        self.hello = hello
        self.rules = rules
        self.welcome = welcome
        self.limits = limits
    }

    /// Job messages waiting to be persisted (the batch in flight excluded).
    public var backlog: Int { queue.count - queueHead }
    /// Messages held in memory, those already taken for persisting included (at most about
    /// twice the backlog and the batch in flight).
    public var retained: Int { queue.count }

    public var isClosed: Bool { phase == .closed }

    /// The first action: claim the worker id.
    public func start() -> [Action] { [.claim] }

    public mutating func handle(_ event: Event) -> [Action] {
        switch (phase, event) {
        case (.closed, _):
            // Late answers to what was asked before the close change nothing.
            return []
        case (.claiming, .claimed(let c, let s)):
            connection = c
            sessionId = s
            phase = .connecting
            return [.connect(sessionId: s)]
        case (.claiming, .duplicate(let host)):
            phase = .closed
            return [
                .send(
                    .refuse(
                        Refuse(
                            code: .duplicateWorker,
                            reason: "worker id \(hello.workerId) is connected from another process (host \(host)): "
                                + "give each worker process its own ATS_WORKER_ID"))),
                .close("another process holds the worker id"),
            ]
        case (.connecting, .connected(let reconciled)):
            phase = .open
            var actions: [Action] = [.send(.welcome(welcome))]
            for stop in reconciled.stops {
                actions.append(.send(.stop(StopJob(jobId: stop.jobId, epoch: stop.epoch, reason: "lease lost"))))
            }
            actions.append(.open(reconciled))
            return actions + pump()
        case (.claiming, .frame(let m)), (.connecting, .frame(let m)), (.open, .frame(let m)):
            return receive(m)
        case (.open, .persisted(let done)):
            guard case .some(let last) = persisting else { return close("a batch committed that was not sent") }
            persisting = nil
            // The verdicts on the batch's order intents, then its ack.
            var actions: [Action] = done.verdicts.map { .send(.intentVerdict($0)) }
            if let last { actions.append(.send(.ack(Ack(messageSeq: last)))) }
            actions += done.diverged.map(Action.diverged)
            if done.jobsEnded { actions.append(.schedule) }
            return actions + pump()
        case (.open, .renewed(let beat)):
            renewing = false
            // Echoed once committed: the worker's proof of how long its leases last.
            let echo = Heartbeat(sentAtMs: beat.sentAtMs, runningJobs: beat.runningJobs, draining: beat.draining)
            return [.send(.heartbeat(echo))] + pump()
        case (_, .failed(let reason)):
            return close(reason)
        case (_, .closed):
            return close("the connection ended")
        default:
            return close("unexpected \(event) while \(phase)")
        }
    }

    private mutating func receive(_ message: WireMessage) -> [Action] {
        let step: WorkerSessionRules.Step
        do {
            step = try rules.accept(message)
        } catch {
            return close("\(error)")
        }
        switch step {
        case .hello:
            return close("a second Hello")
        case .renew(let beat):
            nextBeat = beat
            return (beat.draining ? [.markDraining] : []) + pump()
        case .persist(let message):
            queue.append(message)
            guard backlog <= limits.backlog else {
                return close("more than \(limits.backlog) messages waiting to be persisted")
            }
            return pump()
        }
    }

    /// Starts what can start: the next batch, the next renewal.
    private mutating func pump() -> [Action] {
        guard phase == .open else { return [] }
        var actions: [Action] = []
        if persisting == nil, backlog > 0 {
            let batch = takeBatch()
            persisting = .some(batch.last?.jobHeader?.messageSeq)
            actions.append(.persist(batch))
        }
        if !renewing, let beat = nextBeat {
            nextBeat = nil
            renewing = true
            actions.append(.renew(beat))
        }
        return actions
    }

    /// At most `batchMessages` messages, and no more once `batchFills` fills are in (the first
    /// message always goes).
    private mutating func takeBatch() -> [WireMessage] {
        var n = 0
        var fills = 0
        while n < min(limits.batchMessages, backlog) {
            if case .fills(let f) = queue[queueHead + n] {
                if n > 0 && fills + f.fills.count > limits.batchFills { break }
                fills += f.fills.count
            }
            n += 1
        }
        let batch = Array(queue[queueHead..<queueHead + n])
        queueHead += n
        // The messages taken are let go once they are half the queue (amortised: each compaction
        // moves fewer than it drops). Keeping up to a thousand taken ones held a sweep's chunk
        // records, megabytes each, for the session's life.
        if queueHead * 2 >= queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        return batch
    }

    private mutating func close(_ reason: String) -> [Action] {
        phase = .closed
        queue = []
        queueHead = 0
        guard let connection, let sessionId else { return [.close(reason)] }
        return [.close(reason), .disconnect(connection: connection, sessionId: sessionId)]
    }
}
