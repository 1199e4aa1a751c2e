import ATSEngine
import ATSShared
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The worker: connects out to the coordinator (reconnecting with backoff), authenticates, runs
/// assigned jobs concurrently on its compute threads, and streams their results through the
/// outbox. On SIGTERM it drains: each job checkpoints and is released, the outbox is flushed, and
/// the coordinator hands the jobs to other workers.
public final class WorkerService: Service, Sendable {
    let configuration: WorkerConfiguration
    let registry: Registry
    let logger: Logger
    let outbox: Outbox
    let pool: NIOThreadPool
    let cache: BarCache
    let lease = LeaseGuard()
    let metrics = WorkerMetrics()
    /// The coordinator instance connected to, if any.
    private let coordinatorId = Mutex<String?>(nil)
    /// Where frames for the coordinator go while connected.
    private let connection = Mutex<AsyncStream<WireMessage>.Continuation?>(nil)
    private let jobs = Mutex<[Int64: (control: JobControl, task: Task<Void, Never>)]>([:])
    /// Random per process: the coordinator tells a reconnect of this process from another process
    /// under the same worker id.
    let instance = UUID().uuidString

    public init(configuration: WorkerConfiguration, registry: Registry = .standard, logger: Logger) throws {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        outbox = Outbox(limit: configuration.outboxLimit)
        pool = NIOThreadPool(numberOfThreads: configuration.capacity)
        cache = BarCache(
            pool: pool, root: try DataRoot(configuration.dataDirectory), limitBytes: configuration.barCacheBytes)
    }

    /// Refusals that retrying cannot fix.
    public struct Refused: Error, CustomStringConvertible {
        public var refusal: Refuse
        public var description: String { "coordinator refused this worker: \(refusal.reason)" }
    }

    public func run() async throws {
        pool.start()
        do {
            try await serve()
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
        try? await pool.shutdownGracefully()
    }

    private func serve() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.connectLoop() }
            group.addTask {
                try await gracefulShutdown()
                throw CancellationError()
            }
            do {
                try await group.next()
            } catch is CancellationError {
                await drain()
            }
            group.cancelAll()
        }
    }

    /// Releases every job (each checkpoints first) and waits for the coordinator to ack it all,
    /// for at most the drain timeout: what is not handed over by then is stopped here (the
    /// worker fences itself) and left to the coordinator, which resumes those jobs from their last
    /// stored checkpoints once their leases expire. The process then exits.
    private func drain() async {
        let deadline = ContinuousClock.now + configuration.drainTimeout
        // First tell the coordinator to assign nothing more here; the heartbeat is processed
        // before the releases that follow it on the connection.
        lease.draining = true
        connection.withLock { sink in
            _ = sink?.yield(.heartbeat(Heartbeat(sentAtMs: lease.milliseconds(), runningJobs: 0, draining: true)))
        }
        let running = jobs.withLock { Array($0.values) }
        logger.info("draining", metadata: ["jobs": "\(running.count)", "deadline": "\(configuration.drainTimeout)"])
        await outbox.setUnbounded()
        for job in running { job.control.set(.release) }
        let handedOver = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for job in running { await job.task.value }
                return await self.outbox.drain(until: deadline)
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if handedOver {
            logger.info("drained: every job handed over", metadata: ["jobs": "\(running.count)"])
        } else {
            lease.fence()
            await outbox.close()
            let left = await outbox.count
            logger.warning(
                "drain deadline passed: jobs not handed over were stopped here and resume from their last stored checkpoints",
                metadata: ["unacknowledged": "\(left)"])
        }
    }

    /// Connects to the coordinators in turn until one takes this worker, and again after every
    /// lost connection. Waits grow from 100 ms to 5 s with jitter (half fixed, half random), so a
    /// fleet of workers does not redial a restarted coordinator in lockstep.
    /// A standby answered: dial the leader it named next (if any) without waiting; after a few
    /// redirects in a row (an election under way), wait as after any failure.
    private func connectLoop() async throws {
        var backoff: Duration = .milliseconds(100)
        var next = 0
        var hinted: (host: String, port: Int)?
        var redirects = 0
        while !Task.isCancelled {
            let address: (host: String, port: Int)
            if let h = hinted {
                address = h
                hinted = nil
            } else {
                address = configuration.coordinators[next % configuration.coordinators.count]
                next += 1
            }
            do {
                try await connectOnce(host: address.host, port: address.port)
                backoff = .milliseconds(100)
                redirects = 0
            } catch let e as Refused where e.refusal.code == .notLeader {
                redirects += 1
                hinted = WorkerConfiguration.address(e.refusal.leaderAddress)
                logger.info(
                    "coordinator is a standby",
                    metadata: [
                        "coordinator": "\(address.host):\(address.port)", "leader": "\(e.refusal.leaderAddress)",
                    ])
                if hinted != nil && redirects <= 3 { continue }
            } catch let e as Refused {
                throw e
            } catch is CancellationError {
                return
            } catch {
                logger.warning(
                    "connection to coordinator lost",
                    metadata: ["coordinator": "\(address.host):\(address.port)", "error": "\(error)"])
            }
            guard !Task.isCancelled else { return }
            try await Task.sleep(for: Self.jittered(backoff))
            if next % configuration.coordinators.count == 0 { backoff = min(backoff * 2, .seconds(5)) }
        }
    }

    /// Half the wait fixed, half random.
    static func jittered(_ wait: Duration) -> Duration {
        wait / 2 + .nanoseconds(Int64.random(in: 0...max(1, Int64(wait / .nanoseconds(1)) / 2)))
    }

    private func connectOnce(host: String, port: Int) async throws {
        let c = configuration
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = c.tls {
                        // SNI cannot carry an address: for one, the certificate is checked against
                        // the address itself (an IP subject alternative name).
                        let name = c.tlsServerName ?? host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: name.isIPAddress ? nil : name))
                    }
                    try channel.pipeline.syncOperations.addWireProtocolHandlers()
                    return try NIOAsyncChannel<WireMessage, WireMessage>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            // A coordinator that does not finish the handshake in time is dropped (and retried).
            let handshakeDeadline = channel.channel.eventLoop.scheduleTask(in: .seconds(10)) {
                channel.channel.close(promise: nil)
            }
            var messages = inbound.makeAsyncIterator()
            guard let first = try await messages.next() else { throw ProtocolError.unexpectedMessage("end of stream") }
            guard case .challenge(let challenge) = first else {
                throw ProtocolError.unexpectedMessage("\(first.name) (expected Challenge)")
            }
            guard challenge.supportedVersions.contains(WireProtocol.version) else {
                throw Refused(
                    refusal: Refuse(
                        code: .unsupportedVersion,
                        reason:
                            "the coordinator speaks protocol versions \(challenge.supportedVersions), this worker \(WireProtocol.version)",
                        supportedVersions: challenge.supportedVersions))
            }
            let leases = jobs.withLock { $0.values.map { JobLease(jobId: $0.control.jobId, epoch: $0.control.epoch) } }
            let hello = Hello(
                answering: challenge, secret: c.token, workerId: c.workerId, host: ProcessInfo.processInfo.hostName,
                capacity: UInt32(c.capacity), labels: c.labels, running: leases, softwareVersion: ATSVersion.current,
                instance: instance)
            let helloSent = ContinuousClock.now
            try await outbound.write(.hello(hello))
            guard let reply = try await messages.next() else { throw ProtocolError.unexpectedMessage("end of stream") }
            let welcome: Welcome
            switch reply {
            case .welcome(let w): welcome = w
            case .refuse(let r):
                if r.code == .badCredentials || r.code == .unsupportedVersion || r.code == .badRequest
                    || r.code == .notLeader
                {
                    throw Refused(refusal: r)
                }
                if r.code == .duplicateWorker {
                    // Another process holds this id (or this one's old connection is not closed
                    // yet): wait and try again; an operator must give each process its own id.
                    logger.error("the coordinator refused this worker id", metadata: ["reason": "\(r.reason)"])
                }
                throw ProtocolError.unexpectedMessage("Refuse: \(r.reason)")
            default: throw ProtocolError.unexpectedMessage(reply.name)
            }
            handshakeDeadline.cancel()
            guard
                HandshakeProof.isValidCoordinator(
                    welcome.proof, secret: c.token, version: WireProtocol.version, workerId: c.workerId,
                    coordinatorNonce: challenge.nonce, workerNonce: hello.workerNonce)
            else {
                // Whoever this is does not know the cluster secret: take no job from it.
                throw ProtocolError.malformed(
                    message: "Welcome", reason: "the coordinator did not prove the cluster secret")
            }
            let leaseTimeout = Duration.milliseconds(Int64(welcome.leaseTimeoutMs))
            let interval = Duration.milliseconds(Int64(max(welcome.heartbeatIntervalMs, 50)))
            // The coordinator renewed this worker's leases when it processed the hello.
            lease.confirm(sent: helloSent, leaseTimeout: leaseTimeout, margin: interval)
            logger.info("connected to coordinator", metadata: ["coordinator": "\(welcome.coordinatorId)"])
            metrics.connections.increment()
            coordinatorId.withLock { $0 = welcome.coordinatorId }
            let (stream, sink) = AsyncStream.makeStream(of: WireMessage.self)
            connection.withLock { $0 = sink }
            await outbox.attach(sink)
            defer {
                connection.withLock { $0 = nil }
                coordinatorId.withLock { $0 = nil }
                sink.finish()
            }
            let lastHeard = LastHeard()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in stream { try await outbound.write(message) }
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: interval)
                        // The coordinator echoes every heartbeat: silence means a dead link
                        // (a partition leaves no RST behind). Reconnect instead of waiting on it.
                        if ContinuousClock.now - lastHeard.instant > leaseTimeout {
                            self.logger.warning(
                                "the coordinator is silent: reconnecting", metadata: ["for": "\(leaseTimeout)"])
                            channel.channel.close(promise: nil)
                            return
                        }
                        let running = UInt32(self.jobs.withLock { $0.count })
                        sink.yield(
                            .heartbeat(
                                Heartbeat(
                                    sentAtMs: self.lease.milliseconds(), runningJobs: running,
                                    draining: self.lease.draining)))
                    }
                }
                defer { group.cancelAll() }
                while let message = try await messages.next() {
                    lastHeard.touch()
                    if case .heartbeat(let echo) = message {
                        metrics.leaseRenewals.increment()
                        lease.confirm(
                            sent: lease.instant(milliseconds: echo.sentAtMs), leaseTimeout: leaseTimeout,
                            margin: interval)
                    }
                    await handle(message)
                }
            }
            await outbox.detach()
        }
    }

    /// When the coordinator was last heard from on a connection.
    final class LastHeard: Sendable {
        private let state = Mutex(ContinuousClock.now)
        var instant: ContinuousClock.Instant { state.withLock { $0 } }
        func touch() { state.withLock { $0 = .now } }
    }

    /// What `/healthz` shows.
    public func status() async -> WorkerStatus {
        let connected = connection.withLock { $0 != nil }
        return WorkerStatus(
            workerId: configuration.workerId, connected: connected, coordinator: coordinatorId.withLock { $0 },
            draining: lease.draining, jobs: jobs.withLock { $0.keys.sorted() }, capacity: configuration.capacity,
            outbox: await outbox.count, outboxLimit: configuration.outboxLimit, leaseValid: lease.isValid,
            version: ATSVersion.current)
    }

    /// Sets the gauges of state, just before a scrape.
    func recordGauges() async {
        let s = await status()
        metrics.jobsRunning.record(s.jobs.count)
        metrics.outboxDepth.record(s.outbox)
        metrics.outboxLimit.record(s.outboxLimit)
        metrics.connected.record(s.connected ? 1 : 0)
        metrics.draining.record(s.draining ? 1 : 0)
        metrics.capacity.record(s.capacity)
    }

    private func handle(_ message: WireMessage) async {
        switch message {
        case .assign(let a):
            start(a)
        case .stop(let s):
            // Only for the assignment it was meant for: a stop that crossed a reassignment must
            // not end the newer one.
            guard let job = jobs.withLock({ $0[s.jobId] }), job.control.epoch == s.epoch else {
                logger.info(
                    "ignored a stop for another assignment", metadata: ["job": "\(s.jobId)", "epoch": "\(s.epoch)"])
                return
            }
            job.control.set(s.release ? .release : .stop)
        case .reload(let r):
            guard let job = jobs.withLock({ $0[r.jobId] }), job.control.epoch == r.epoch else {
                logger.info(
                    "ignored a reload for another assignment", metadata: ["job": "\(r.jobId)", "epoch": "\(r.epoch)"])
                return
            }
            job.control.reload(JobControl.Reload(revision: r.revision, config: r.strategyConfig))
        case .ack(let a):
            await outbox.ack(a.messageSeq)
        case .heartbeat:
            break
        default:
            logger.warning("ignored unexpected message", metadata: ["type": "\(message.name)"])
        }
    }

    private func start(_ a: AssignJob) {
        if lease.draining {
            // Assigned before the coordinator read our draining heartbeat: give it straight back.
            handBack(a)
            return
        }
        var log = logger
        log[metadataKey: "job"] = "\(a.jobId)"
        log[metadataKey: "epoch"] = "\(a.epoch)"
        let control = JobControl(jobId: a.jobId, epoch: a.epoch)
        let runner = JobRunner(
            assignment: a, control: control, lease: lease, outbox: outbox, cache: cache, pool: pool, registry: registry,
            fillBatchSize: configuration.fillBatchSize, metrics: metrics, logger: log)
        let accepted = jobs.withLock { jobs in
            if let old = jobs[a.jobId] {
                if old.control.epoch == a.epoch { return true }  // a duplicate assignment
                old.control.set(.release)
            } else if jobs.count >= configuration.capacity {
                // More than this worker runs at once: give it back rather than overload the
                // compute threads (the coordinator counts slots too; this is the worker's word).
                return false
            }
            let task = Task {
                await runner.run()
                self.jobs.withLock { jobs in
                    if jobs[a.jobId]?.control === control { jobs[a.jobId] = nil }
                }
            }
            jobs[a.jobId] = (control, task)
            return true
        }
        if !accepted {
            logger.warning("assignment over capacity: handed back", metadata: ["job": "\(a.jobId)"])
            handBack(a)
        }
    }

    /// Gives an assignment back without running it (`Finished(RELEASED)`).
    private func handBack(_ a: AssignJob) {
        Task {
            await outbox.append { seq in
                .finished(
                    JobFinished(
                        header: JobHeader(jobId: a.jobId, epoch: a.epoch, messageSeq: seq), outcome: .released,
                        statistics: []))
            }
        }
    }
}

extension String {
    /// Whether this is an IPv4 or IPv6 address literal.
    var isIPAddress: Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}
