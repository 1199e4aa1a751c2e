import ATSEngine
import ATSModels
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
    /// Live markets, one stream per symbol and interval shared by the jobs trading on it.
    let feed: MarketFeed
    /// The coordinator's verdicts on live runs' order intents.
    let verdicts = IntentVerdicts()
    let lease = LeaseGuard()
    let metrics = WorkerMetrics()
    /// How often its jobs report progress and checkpoint by time, by how many it runs.
    let cadence: JobCadence
    /// The coordinator instance connected to, if any.
    private let coordinatorId = Mutex<String?>(nil)
    /// Where frames for the coordinator go while connected.
    private let connection = Mutex<AsyncStream<WireMessage>.Continuation?>(nil)
    private let jobs = Mutex<[Int64: (control: JobControl, task: Task<Void, Never>)]>([:])
    /// Jobs running at once: a sweep's chunk held ahead waits here for a slot.
    let slots: RunSlots
    /// The connection's state machine: handshake, heartbeats, which job runs here.
    let machine: Locked<WorkerConnection>

    public init(configuration: WorkerConfiguration, registry: Registry = .standard, logger: Logger) throws {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        outbox = Outbox(limit: configuration.outboxLimit)
        // Compute threads, no more than cores: a worker holding thousands of paced jobs runs each
        // one's bar on one of these and needs no thread per job.
        pool = NIOThreadPool(
            numberOfThreads: max(1, min(configuration.capacity, ProcessInfo.processInfo.activeProcessorCount)))
        slots = RunSlots(capacity: configuration.capacity)
        cadence = JobCadence(
            progressPerSecond: configuration.progressPerSecond, checkpointsPerSecond: configuration.checkpointsPerSecond
        )
        feed = MarketFeed(logger: logger)
        let datasets = try DatasetCache(
            directory: configuration.datasetCacheDirectory, limitBytes: configuration.datasetCacheBytes,
            sources: configuration.datasetSources, objectStore: configuration.datasetStore,
            workerId: configuration.workerId, secret: configuration.token, logger: logger)
        cache = BarCache(
            pool: pool, root: try DataRoot(configuration.dataDirectory), datasets: datasets,
            limitBytes: configuration.barCacheBytes)
        machine = Locked(
            WorkerConnection(
                identity: .init(
                    workerId: configuration.workerId, secret: configuration.token,
                    host: ProcessInfo.processInfo.hostName, capacity: configuration.capacity,
                    labels: configuration.labels, softwareVersion: ATSVersion.current,
                    // Random per process: the coordinator tells a reconnect of this process from
                    // another process under the same worker id.
                    instance: UUID().uuidString)))
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
        let now = lease.milliseconds()
        let actions = machine.withLock { $0.drain(nowMs: now) }
        let running = jobs.withLock { Array($0.values) }
        logger.info("draining", metadata: ["jobs": "\(running.count)", "deadline": "\(configuration.drainTimeout)"])
        // The draining heartbeat first, then appends stop waiting for room (a producer blocked on a
        // full outbox would otherwise hand a job back before the coordinator knows).
        _ = try? await perform(actions, outbound: connection.withLock { $0 })
        await outbox.setUnbounded()
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
            let (stream, sink) = AsyncStream.makeStream(of: WireMessage.self)
            machine.withLock { $0.dialed(workerNonce: HandshakeProof.nonce()) }
            defer {
                machine.withLock { $0.disconnected() }
                connection.withLock { $0 = nil }
                coordinatorId.withLock { $0 = nil }
                sink.finish()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in stream { try await outbound.write(message) }
                }
                group.addTask {
                    while true {
                        let interval = self.machine.withLock { $0.link?.heartbeatIntervalMs }
                        try await Task.sleep(for: .milliseconds(interval ?? 50))
                        guard interval != nil else { continue }
                        let now = self.lease.milliseconds()
                        let actions = self.machine.withLock { $0.tick(nowMs: now) }
                        if try await self.perform(actions, outbound: sink, channel: channel.channel) { return }
                    }
                }
                defer { group.cancelAll() }
                var welcomed = false
                for try await message in inbound {
                    let now = lease.milliseconds()
                    let (actions, connected) = machine.withLock { ($0.received(message, nowMs: now), $0.isConnected) }
                    if connected && !welcomed {
                        welcomed = true
                        handshakeDeadline.cancel()
                    }
                    if try await perform(actions, outbound: sink, channel: channel.channel) {
                        // Refused or broken before the welcome: a failed attempt (backoff grows).
                        if !welcomed { throw ProtocolError.unexpectedMessage("connection closed during the handshake") }
                        return
                    }
                }
                if !welcomed { throw ProtocolError.unexpectedMessage("end of stream before Welcome") }
            }
            await outbox.detach()
        }
    }

    /// Carries out the connection's actions; true when the connection is to close.
    @discardableResult
    private func perform(
        _ actions: [WorkerConnection.Action], outbound sink: AsyncStream<WireMessage>.Continuation?,
        channel: (any Channel)? = nil
    ) async throws -> Bool {
        for action in actions {
            switch action {
            case .send(let message):
                sink?.yield(message)
            case .close(let reason):
                logger.warning("closing the connection to the coordinator", metadata: ["reason": "\(reason)"])
                channel?.close(promise: nil)
                return true
            case .refused(let refusal):
                throw Refused(refusal: refusal)
            case .welcomed(let id, let capabilities):
                logger.info("connected to coordinator", metadata: ["coordinator": "\(id)"])
                metrics.connections.increment()
                coordinatorId.withLock { $0 = id }
                connection.withLock { $0 = sink }
                if let sink {
                    await outbox.attach(
                        sink, compressesCheckpoints: capabilities.contains(CoordinatorCapability.compressedCheckpoints))
                }
            case .confirmLease(let sent, let timeout, let margin):
                if connection.withLock({ $0 != nil }) { metrics.leaseRenewals.increment() }
                lease.confirm(sentMs: sent, leaseTimeoutMs: timeout, marginMs: margin)
            case .start(let a):
                // The generation now, as the assignment is accepted (not once its data loaded).
                start(a, generation: lease.generation)
            case .signal(let l, let signal):
                jobs.withLock { $0[l.jobId] }.flatMap { $0.control.epoch == l.epoch ? $0.control : nil }?
                    .set(
                        {
                            switch signal {
                            case .stop: .stop
                            case .release: .release
                            case .halt(let flatten): .halt(flatten: flatten)
                            }
                        }())
                // A chunk still waiting for a slot leaves at once (the request is set first).
                slots.withdraw(l)
            case .reload(let l, let revision, let config):
                let control = jobs.withLock { $0[l.jobId] }.flatMap { $0.control.epoch == l.epoch ? $0.control : nil }
                let reload = JobControl.Reload(revision: revision, config: config)
                // A revision that runs another trained model: the model first (fetched by its
                // hash), then the revision; the runner refuses a revision whose model it lacks.
                if let control, let model = JobSpec.modelHash(json: config),
                    ModelLibrary.shared.graph(hash: model) == nil
                {
                    let datasets = cache.datasets
                    let log = logger
                    Task {
                        do { try await datasets.ensureModel(model) } catch {
                            log.warning(
                                "reload's model not fetched", metadata: ["model": "\(model)", "error": "\(error)"])
                        }
                        control.reload(reload)
                    }
                } else {
                    control?.reload(reload)
                }
            case .ack(let seq):
                await outbox.ack(seq)
            case .verdict(let v):
                await verdicts.deliver(v)
            case .handBack(let a):
                logger.warning("assignment handed back (draining or over capacity)", metadata: ["job": "\(a.jobId)"])
                handBack(a)
            case .ignored(let what):
                logger.info("ignored a message", metadata: ["message": "\(what)"])
            }
        }
        return false
    }

    /// What `/healthz` shows.
    public func status() async -> WorkerStatus {
        let connected = connection.withLock { $0 != nil }
        return WorkerStatus(
            workerId: configuration.workerId, connected: connected, coordinator: coordinatorId.withLock { $0 },
            draining: machine.withLock { $0.draining }, jobs: jobs.withLock { $0.keys.sorted() },
            capacity: configuration.capacity,
            outbox: await outbox.count, outboxLimit: configuration.outboxLimit, leaseValid: lease.isValid,
            version: ATSVersion.current)
    }

    /// Sets the gauges of state, just before a scrape.
    func recordGauges() async {
        let s = await status()
        metrics.jobsRunning.record(s.jobs.count)
        metrics.chunksWaiting.record(slots.waiting)
        metrics.outboxDepth.record(s.outbox)
        metrics.outboxLimit.record(s.outboxLimit)
        metrics.connected.record(s.connected ? 1 : 0)
        metrics.draining.record(s.draining ? 1 : 0)
        metrics.capacity.record(s.capacity)
    }

    /// Runs an assignment the connection accepted (``WorkerConnection`` checked capacity, drain
    /// and duplicates); a run of an older epoch of the job was already asked to release.
    private func start(_ assigned: AssignJob, generation: Int) {
        // A compressed checkpoint is inflated here, once: every runner reads the engine's JSON.
        let (a, unreadable): (AssignJob, CheckpointCompression.Corrupt?) = {
            var a = assigned
            do throws(CheckpointCompression.Corrupt) {
                a.checkpoint = try CheckpointCompression.inflate(a.checkpoint)
                return (a, nil)
            } catch { return (assigned, error) }
        }()
        var log = logger
        log[metadataKey: "job"] = "\(a.jobId)"
        log[metadataKey: "epoch"] = "\(a.epoch)"
        let control = JobControl(jobId: a.jobId, epoch: a.epoch)
        let runner = JobRunner(
            assignment: a, control: control, lease: lease, generation: generation, outbox: outbox, cache: cache,
            pool: pool, registry: registry,
            fillBatchSize: configuration.fillBatchSize, metrics: metrics, logger: log, cadence: cadence)
        // A live job trades the venue; a paper job on a live market trades its candles as they
        // close; the others read a data file.
        let spec = try? JobSpec.decode(json: Data(a.spec))
        let onMarket = spec?.market != nil
        let live = spec?.mode == .live
        let marketRunner = MarketJobRunner(
            assignment: a, control: control, lease: lease, generation: generation, output: runner.output, feed: feed,
            registry: registry, logger: log, cadence: cadence)
        let chunkRunner = SweepChunkRunner(
            assignment: a, control: control, lease: lease, generation: generation, output: runner.output, cache: cache,
            pool: pool, registry: registry, metrics: metrics, logger: log, cadence: cadence)
        let isChunk = spec?.sweep != nil
        let liveRunner = LiveJobRunner(
            assignment: a, control: control, lease: lease, generation: generation, output: runner.output, feed: feed,
            verdicts: verdicts, registry: registry, logger: log)
        // The trained model the strategy runs, fetched by its hash before any runner reads the
        // definition (or restores a checkpoint holding the model's state).
        let models = a.modelHashes(registry: registry).sorted()
        let datasets = cache.datasets
        let jobLog = log
        let slots = self.slots
        let assigned = JobLease(jobId: a.jobId, epoch: a.epoch)
        jobs.withLock { jobs in
            let task = Task {
                // Returns when the job ended here, however it ended.
                let run = {
                    if let unreadable {
                        jobLog.warning("checkpoint unreadable", metadata: ["error": "\(unreadable)"])
                        await runner.output.failed(unreadable)
                        return
                    }
                    for model in models {
                        do { try await datasets.ensureModel(model) } catch {
                            jobLog.warning("model not fetched", metadata: ["model": "\(model)", "error": "\(error)"])
                            await runner.output.failed(error)
                            return
                        }
                    }
                    // A chunk held ahead waits for a slot; asked to stop or give itself back
                    // first, it ends without running.
                    if a.sweepChunk {
                        guard await slots.wait(assigned, unless: { control.request != .none }) else {
                            let outcome: JobFinished.Outcome = control.request == .release ? .released : .stopped
                            await runner.output.send {
                                .finished(JobFinished(header: $0, outcome: outcome, statistics: []))
                            }
                            return
                        }
                    } else {
                        slots.enter()
                    }
                    defer { slots.leave() }
                    // Counted by the cadence from here: a held chunk did not run while it waited.
                    self.cadence.started()
                    defer { self.cadence.ended() }
                    // A held chunk whose lease lapsed while it waited gives itself back unrun.
                    if a.sweepChunk && !self.lease.isValid(generation: generation) {
                        jobLog.fenced("held sweep chunk", [:])
                        await runner.output.send {
                            .finished(JobFinished(header: $0, outcome: .released, statistics: []))
                        }
                        return
                    }
                    if isChunk {
                        await chunkRunner.run()
                    } else if live {
                        await liveRunner.run()
                    } else if onMarket {
                        await marketRunner.run()
                    } else {
                        await runner.run()
                    }
                }
                await run()
                self.machine.withLock { $0.jobEnded(assigned) }
                self.jobs.withLock { jobs in
                    if jobs[a.jobId]?.control === control { jobs[a.jobId] = nil }
                }
            }
            jobs[a.jobId] = (control, task)
        }
    }

    /// Gives an assignment back without running it (`JobFinished(RELEASED)`).
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
