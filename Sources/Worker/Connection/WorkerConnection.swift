import ATSShared

/// The worker's side of its connection to the coordinator, as a pure state machine: the
/// handshake (challenge, hello, welcome), heartbeats and the silence that means a dead link, and
/// what to do with every frame the coordinator sends (assignments within capacity, stops and
/// reloads for the assignment they name, acks). Clock injected: every event carries the time on
/// the worker's monotonic clock, in the milliseconds its heartbeats carry.
///
/// It also keeps which job runs here under which epoch, and whether the worker drains, because
/// the decisions need them (an assignment while draining or over capacity is handed back, a stop
/// for another epoch is ignored). ``WorkerService`` carries the actions out; the simulator does
/// too, with simulated jobs.
public struct WorkerConnection: Sendable {
    public struct Identity: Sendable {
        public var workerId: String
        public var secret: String
        public var host: String
        public var capacity: Int
        public var labels: [String]
        public var softwareVersion: String
        /// Random per process: a reconnect of this process is told from another process.
        public var instance: String
        /// What its hello announces (``WorkerCapability``).
        public var capabilities = WorkerCapability.all

        /// It holds a sweep's chunks ahead (``WorkerLoad``).
        var holdsChunksAhead: Bool { capabilities.contains(WorkerCapability.chunksAhead) }

        public init(
            workerId: String, secret: String, host: String, capacity: Int, labels: [String], softwareVersion: String,
            instance: String
        ) {
            self.workerId = workerId
            self.secret = secret
            self.host = host
            self.capacity = capacity
            self.labels = labels
            self.softwareVersion = softwareVersion
            self.instance = instance
        }
    }

    /// What a running job is asked to do.
    public enum Signal: Sendable, Equatable {
        /// Stop on the operator's request: final checkpoint, then report `stopped`.
        case stop
        /// Checkpoint and give the job back (draining, or a newer assignment of it arrived).
        case release
        /// The kill switch: a live job cancels its open orders (and flattens), then stops.
        case halt(flatten: Bool)
    }

    public enum Action: Sendable {
        case send(WireMessage)
        /// Drop this connection (the worker dials again).
        case close(String)
        /// A refusal that retrying this coordinator cannot fix (a standby's is handled by dialing
        /// the leader it names).
        case refused(Refuse)
        /// The coordinator proved the secret: send everything unacknowledged again, in order.
        /// `capabilities`: the coordinator's (``CoordinatorCapability``).
        case welcomed(coordinatorId: String, capabilities: [String])
        /// The coordinator renewed the leases when it processed what was sent at `sentMs`.
        case confirmLease(sentMs: Int64, leaseTimeoutMs: Int64, marginMs: Int64)
        case start(AssignJob)
        case signal(JobLease, Signal)
        case reload(JobLease, revision: Int64, config: [UInt8])
        case ack(UInt64)
        /// Give the assignment back without running it (`JobFinished(RELEASED)`).
        case handBack(AssignJob)
        /// The coordinator's verdict on a running job's order intent: to the run waiting for it.
        case verdict(IntentVerdict)
        /// A frame the worker does not expect: logged, ignored.
        case ignored(String)
    }

    public enum Phase: Sendable {
        case disconnected
        case awaitingChallenge(workerNonce: [UInt8])
        case awaitingWelcome(challenge: Challenge, hello: Hello, sentMs: Int64)
        case connected(Link)
    }

    /// An established connection's timing, from the welcome.
    public struct Link: Sendable {
        public var coordinatorId: String
        public var leaseTimeoutMs: Int64
        public var heartbeatIntervalMs: Int64
        public var lastHeardMs: Int64
    }

    public let identity: Identity
    public private(set) var phase = Phase.disconnected
    /// The jobs held here (running, or a sweep's chunks waiting for a slot): id → epoch.
    public private(set) var jobs: [Int64: Int64] = [:]
    /// Of them, a sweep's chunks (``WorkerLoad``).
    public private(set) var chunks: Set<Int64> = []
    public private(set) var draining = false

    public init(identity: Identity) { self.identity = identity }

    public var isConnected: Bool {
        if case .connected = phase { true } else { false }
    }

    public var link: Link? {
        if case .connected(let l) = phase { l } else { nil }
    }

    public var leases: [JobLease] {
        jobs.map { JobLease(jobId: $0.key, epoch: $0.value) }.sorted { $0.jobId < $1.jobId }
    }

    /// A new connection is up; its hello will carry this nonce.
    public mutating func dialed(workerNonce: [UInt8]) { phase = .awaitingChallenge(workerNonce: workerNonce) }

    /// The connection is gone.
    public mutating func disconnected() { phase = .disconnected }

    public mutating func received(_ message: WireMessage, nowMs: Int64) -> [Action] {
        switch phase {
        case .disconnected:
            return []
        case .awaitingChallenge(let nonce):
            guard case .challenge(let challenge) = message else {
                return [.close("\(message.name) (expected Challenge)")]
            }
            guard challenge.supportedVersions.contains(WireProtocol.version) else {
                return [
                    .refused(
                        Refuse(
                            code: .unsupportedVersion,
                            reason: "the coordinator speaks protocol versions \(challenge.supportedVersions), "
                                + "this worker \(WireProtocol.version)", supportedVersions: challenge.supportedVersions)
                    )
                ]
            }
            let i = identity
            let hello = Hello(
                answering: challenge, secret: i.secret, workerId: i.workerId, host: i.host,
                capacity: UInt32(i.capacity), labels: i.labels, running: leases, softwareVersion: i.softwareVersion,
                instance: i.instance, capabilities: i.capabilities, nonce: nonce)
            phase = .awaitingWelcome(challenge: challenge, hello: hello, sentMs: nowMs)
            return [.send(.hello(hello))]
        case .awaitingWelcome(let challenge, let hello, let sentMs):
            switch message {
            case .welcome(let w):
                guard
                    HandshakeProof.isValidCoordinator(
                        w.proof, secret: identity.secret, version: WireProtocol.version, workerId: identity.workerId,
                        coordinatorNonce: challenge.nonce, workerNonce: hello.workerNonce)
                else {
                    // Whoever this is does not know the cluster secret: take no job from it.
                    return [.close("the coordinator did not prove the cluster secret")]
                }
                let link = Link(
                    coordinatorId: w.coordinatorId, leaseTimeoutMs: Int64(w.leaseTimeoutMs),
                    heartbeatIntervalMs: Int64(max(w.heartbeatIntervalMs, 50)), lastHeardMs: nowMs)
                phase = .connected(link)
                // The coordinator renewed this worker's leases when it processed the hello.
                return [
                    .confirmLease(
                        sentMs: sentMs, leaseTimeoutMs: link.leaseTimeoutMs, marginMs: link.heartbeatIntervalMs),
                    .welcomed(coordinatorId: w.coordinatorId, capabilities: w.capabilities),
                ]
            case .refuse(let r):
                switch r.code {
                case .badCredentials, .unsupportedVersion, .badRequest, .notLeader:
                    return [.refused(r)]
                default:
                    // A duplicate id (another process, or this one's old connection not closed
                    // yet) or a coordinator shutting down: dial again later.
                    return [.close("the coordinator refused this worker id or connection: \(r.reason)")]
                }
            default:
                return [.close("\(message.name) (expected Welcome)")]
            }
        case .connected(var link):
            link.lastHeardMs = nowMs
            phase = .connected(link)
            switch message {
            case .heartbeat(let echo):
                return [
                    .confirmLease(
                        sentMs: echo.sentAtMs, leaseTimeoutMs: link.leaseTimeoutMs, marginMs: link.heartbeatIntervalMs)
                ]
            case .assign(let a):
                return assign(a)
            case .stop(let s):
                // Only for the assignment it was meant for: a stop that crossed a reassignment
                // must not end the newer one.
                guard jobs[s.jobId] == s.epoch else { return [.ignored("a stop for another assignment")] }
                let signal: Signal = s.halt ? .halt(flatten: s.flatten) : s.release ? .release : .stop
                return [.signal(JobLease(jobId: s.jobId, epoch: s.epoch), signal)]
            case .reload(let r):
                guard jobs[r.jobId] == r.epoch else { return [.ignored("a reload for another assignment")] }
                return [
                    .reload(JobLease(jobId: r.jobId, epoch: r.epoch), revision: r.revision, config: r.strategyConfig)
                ]
            case .ack(let a):
                return [.ack(a.messageSeq)]
            case .intentVerdict(let v):
                // Only for the run it was meant for: a verdict crossing a reassignment is not the
                // newer run's to act on.
                guard jobs[v.jobId] == v.epoch else { return [.ignored("a verdict for another assignment")] }
                return [.verdict(v)]
            default:
                return [.ignored(message.name)]
            }
        }
    }

    private mutating func assign(_ a: AssignJob) -> [Action] {
        // Assigned before the coordinator read the draining heartbeat: straight back.
        if draining { return [.handBack(a)] }
        if let running = jobs[a.jobId] {
            if running == a.epoch { return [] }  // a duplicate assignment
            jobs[a.jobId] = a.epoch
            if a.sweepChunk { chunks.insert(a.jobId) } else { chunks.remove(a.jobId) }
            return [.signal(JobLease(jobId: a.jobId, epoch: running), .release), .start(a)]
        }
        // More than this worker holds: give it back rather than overload the compute threads (the
        // coordinator counts slots too; this is the worker's word). A sweep's chunk may wait for
        // a slot behind a running one (the worker service queues it).
        let load = WorkerLoad(
            capacity: identity.capacity, ahead: identity.holdsChunksAhead, jobs: jobs.count, chunks: chunks.count)
        guard load.admits(chunk: a.sweepChunk) else { return [.handBack(a)] }
        jobs[a.jobId] = a.epoch
        if a.sweepChunk { chunks.insert(a.jobId) }
        return [.start(a)]
    }

    /// The heartbeat timer fired: a heartbeat, or the end of a connection the coordinator has been
    /// silent on for a lease timeout (a partition leaves no RST behind).
    public mutating func tick(nowMs: Int64) -> [Action] {
        guard case .connected(let link) = phase else { return [] }
        if nowMs - link.lastHeardMs > link.leaseTimeoutMs {
            return [.close("the coordinator is silent")]
        }
        return [
            .send(.heartbeat(Heartbeat(sentAtMs: nowMs, runningJobs: UInt32(jobs.count), draining: draining)))
        ]
    }

    /// A job ended here (completed, stopped, released or failed).
    public mutating func jobEnded(_ lease: JobLease) {
        if jobs[lease.jobId] == lease.epoch {
            jobs[lease.jobId] = nil
            chunks.remove(lease.jobId)
        }
    }

    /// The process is asked to stop: take no job, tell the coordinator first (the heartbeat is
    /// processed before the releases that follow it on the connection), release every job.
    public mutating func drain(nowMs: Int64) -> [Action] {
        draining = true
        var actions: [Action] = []
        if isConnected {
            actions.append(.send(.heartbeat(Heartbeat(sentAtMs: nowMs, runningJobs: 0, draining: true))))
        }
        return actions + leases.map { .signal($0, .release) }
    }
}
