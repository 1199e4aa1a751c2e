import ATSShared
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Accepts worker connections: handshake (version, credentials), then one loop per connection that
/// persists what the worker streams and acks it once committed. Each connection catches its own
/// errors: a bad peer is disconnected and nobody else notices.
public final class WorkerServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var secrets: WorkerSecrets
        public var heartbeatInterval: Duration
        public var leaseTimeout: Duration
        /// A connection must complete its hello within this.
        public var handshakeTimeout: Duration
        public var maximumFrameSize: Int
        /// TLS on the port (nil: plain TCP).
        public var tls: NIOSSLContext?

        public init(
            host: String, port: Int, secrets: WorkerSecrets, heartbeatInterval: Duration = .seconds(1),
            leaseTimeout: Duration = .seconds(5), handshakeTimeout: Duration = .seconds(5),
            maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize, tls: NIOSSLContext? = nil
        ) {
            self.tls = tls
            self.host = host
            self.port = port
            self.secrets = secrets
            self.heartbeatInterval = heartbeatInterval
            self.leaseTimeout = leaseTimeout
            self.handshakeTimeout = handshakeTimeout
            self.maximumFrameSize = maximumFrameSize
        }
    }

    let configuration: Configuration
    let store: JobStore
    let hub: WorkerHub
    let scheduler: SchedulerService
    let leadership: Leadership
    let logger: Logger
    /// Every connection's heartbeats, written together.
    let renewals: LeaseRenewals
    var coordinatorId: String { leadership.instanceId }
    private let bound: AsyncStream<Int>.Continuation
    /// The port actually bound (useful with port 0), once listening.
    public let boundPort: AsyncStream<Int>

    init(
        configuration: Configuration, store: JobStore, hub: WorkerHub, scheduler: SchedulerService,
        leadership: Leadership, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.hub = hub
        self.scheduler = scheduler
        self.leadership = leadership
        self.logger = logger
        // A renewal not written in a third of what the worker's margin leaves is hedged: its workers
        // go into the next statement too.
        renewals = LeaseRenewals(
            store: store,
            timeout: max((configuration.leaseTimeout - configuration.heartbeatInterval) / 3, .milliseconds(200)),
            logger: logger)
        (boundPort, bound) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func run() async throws {
        let c = configuration
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: c.host, port: c.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // TLS first: no frame is read from a peer that has not completed the TLS
                    // handshake (with a certificate the cluster CA signed, when mutual). The
                    // handshake deadline below covers the TLS handshake too.
                    if let tls = c.tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    try sync.addWireProtocolHandlers(maximumFrameSize: c.maximumFrameSize)
                    // Whole frames in time, not bytes: a peer that trickles bytes is closed too.
                    try sync.addHandler(
                        FrameDeadlineHandler(
                            handshakeTimeout: TimeAmount(c.handshakeTimeout), idleTimeout: TimeAmount(c.leaseTimeout)))
                    return try NIOAsyncChannel<WireMessage, WireMessage>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? c.port
        bound.yield(port)
        logger.info(
            "listening for workers",
            metadata: ["address": "\(c.host):\(port)", "tls": "\(c.tls == nil ? "off" : "on")"])
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { await self.closeSessionsWhenDeposed() }
                    try await server.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            // A graceful shutdown ends the accept loop by cancelling it: that is this part's
            // normal end, and the service group goes on stopping the others in order.
        }
    }

    /// A coordinator that stops leading closes its workers' connections: they redial, and the
    /// standby it has become sends them to the leader.
    private func closeSessionsWhenDeposed() async {
        var leading = false
        for await role in leadership.changes() {
            if case .leader = role {
                leading = true
            } else if leading {
                leading = false
                let closed = await hub.evictAll()
                for session in closed { session.outbox.finish() }
                logger.notice(
                    "not the leader any more: closed worker connections", metadata: ["workers": "\(closed.count)"])
            }
        }
    }

    private func serve(_ channel: NIOAsyncChannel<WireMessage, WireMessage>) async {
        let peer = channel.channel.remoteAddress?.description ?? "?"
        var log = logger
        log[metadataKey: "peer"] = "\(peer)"
        do {
            try await channel.executeThenClose { inbound, outbound in
                // The coordinator speaks first: a fresh nonce the hello must prove the secret over.
                let nonce = HandshakeProof.nonce()
                try await outbound.write(.challenge(Challenge(nonce: nonce, coordinatorId: coordinatorId)))
                var messages = inbound.makeAsyncIterator()
                var rules = WorkerSessionRules()
                guard let first = try await messages.next() else { return }
                guard case .hello(let hello)? = try? rules.accept(first) else {
                    try await outbound.write(
                        .refuse(Refuse(code: .badRequest, reason: "expected Hello, got \(first.name)")))
                    log.warning("refused: no hello", metadata: ["got": "\(first.name)"])
                    return
                }
                if let refusal = check(hello, nonce: nonce) {
                    try await outbound.write(.refuse(refusal))
                    log.warning(
                        "refused worker", metadata: ["worker": "\(hello.workerId)", "reason": "\(refusal.reason)"])
                    return
                }
                log[metadataKey: "worker"] = "\(hello.workerId)"
                guard leadership.isLeader else {
                    leadership.requestRound()
                    let leader = leadership.knownLeader?.workerAddress ?? ""
                    try await outbound.write(
                        .refuse(
                            Refuse(
                                code: .notLeader,
                                reason: leader.isEmpty
                                    ? "this coordinator is a standby and the leader is not known yet"
                                    : "this coordinator is a standby; the leader takes workers at \(leader)",
                                leaderAddress: leader)))
                    log.info("sent worker to the leader", metadata: ["leader": "\(leader)"])
                    return
                }
                // check() verified the hello with this worker's secret.
                let proof = HandshakeProof.coordinator(
                    secret: configuration.secrets.secret(for: hello.workerId) ?? "", version: hello.protocolVersion,
                    workerId: hello.workerId,
                    coordinatorNonce: nonce, workerNonce: hello.workerNonce)
                try await session(
                    hello, proof: proof, rules: rules, channel: channel.channel, messages: &messages,
                    outbound: outbound, logger: log)
            }
        } catch is CancellationError {
            log.debug("connection closed: shutting down")
        } catch {
            log.warning("connection closed on error", metadata: ["error": "\(error)"])
        }
    }

    /// The reason to refuse a hello, or nil to accept it. Nothing is written anywhere before a
    /// hello passes.
    func check(_ hello: Hello, nonce: [UInt8]) -> Refuse? {
        guard WireProtocol.supportedVersions.contains(hello.protocolVersion) else {
            return Refuse(
                code: .unsupportedVersion,
                reason:
                    "protocol version \(hello.protocolVersion) is not supported; this coordinator speaks \(WireProtocol.supportedVersions.map(String.init).joined(separator: ", "))"
            )
        }
        guard
            hello.workerNonce.count == HandshakeProof.nonceSize,
            let secret = configuration.secrets.secret(for: hello.workerId),
            HandshakeProof.isValidWorker(
                hello.proof, secret: secret, version: hello.protocolVersion, workerId: hello.workerId,
                coordinatorNonce: nonce, workerNonce: hello.workerNonce)
        else {
            return Refuse(code: .badCredentials, reason: "bad worker credentials (the proof of ATS_WORKER_TOKEN)")
        }
        guard !hello.workerId.isEmpty, hello.workerId.count <= 200, hello.capacity >= 1, hello.capacity <= 10_000 else {
            return Refuse(code: .badRequest, reason: "worker id must be 1-200 characters and capacity 1-10000")
        }
        return nil
    }

    /// Runs a session's state machine (``WorkerSession``) and carries out what it decides: the
    /// frames it sends go through the connection's outbox, the batches it persists and the
    /// renewals it asks for run on their own tasks (reading runs ahead of persisting, so a
    /// heartbeat is renewed at once instead of waiting behind a backlog of fills), and every
    /// answer goes back to the machine.
    private func session(
        _ hello: Hello, proof: [UInt8], rules: WorkerSessionRules, channel: any Channel,
        messages: inout NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<WireMessage>, logger: Logger
    ) async throws {
        let (outbox, continuation) = AsyncStream.makeStream(of: WireMessage.self)
        defer { continuation.finish() }
        let welcome = Welcome(
            coordinatorId: coordinatorId, heartbeatIntervalMs: UInt32(configuration.heartbeatInterval.milliseconds),
            leaseTimeoutMs: UInt32(configuration.leaseTimeout.milliseconds), proof: proof,
            capabilities: CoordinatorCapability.all)
        let machine = Locked(WorkerSession(hello: hello, rules: rules, welcome: welcome))
        let (batches, batchSink) = AsyncStream.makeStream(of: [WireMessage].self)
        let (beats, beatSink) = AsyncStream.makeStream(of: Heartbeat.self)
        let worker = hello.workerId

        /// Feeds an event to the machine and carries out its actions, with the events those
        /// produce in turn.
        @Sendable func run(_ first: WorkerSession.Event) async {
            var events = [first]
            while !events.isEmpty {
                let event = events.removeFirst()
                let actions = machine.withLock { $0.handle(event) }
                for action in actions {
                    switch action {
                    case .claim:
                        preconditionFailure("claimed once, at the start")
                    case .connect(let sessionId):
                        do {
                            // Connections rank by term, then by the hub's connection number.
                            let order =
                                (leadership.term ?? 0) << 32
                                | Int64(truncatingIfNeeded: (machine.withLock { $0.connection } ?? 0) & 0xFFFF_FFFF)
                            events.append(.connected(try await store.connect(hello, session: sessionId, order: order)))
                        } catch {
                            events.append(.failed("could not register the worker: \(String(reflecting: error))"))
                        }
                    case .send(let message):
                        continuation.yield(message)
                    case .open(let reconciled):
                        if !reconciled.released.isEmpty {
                            logger.info(
                                "released leases the worker no longer holds",
                                metadata: ["jobs": "\(reconciled.released)"])
                        }
                        scheduler.forgetRequests(of: worker)
                        await hub.open(
                            worker, connection: machine.withLock { $0.connection } ?? 0, draining: reconciled.drained)
                        logger.info(
                            "worker connected",
                            metadata: ["capacity": "\(hello.capacity)", "labels": "\(hello.labels)"])
                        scheduler.trigger()
                    case .persist(let batch):
                        batchSink.yield(batch)
                    case .renew(let beat):
                        beatSink.yield(beat)
                    case .markDraining:
                        await hub.setDraining(worker, true)
                    case .diverged(let lease):
                        store.metrics.fillsDiverged.increment()
                        // The job is failed in the database; stop it where it runs.
                        continuation.yield(
                            .stop(StopJob(jobId: lease.jobId, epoch: lease.epoch, reason: "fills diverged")))
                    case .schedule:
                        scheduler.trigger()
                    case .close(let reason):
                        logger.info("closing the connection", metadata: ["reason": "\(reason)"])
                        // The writer sends what is queued (a refusal), then closes the channel.
                        continuation.finish()
                    case .disconnect(let connection, let sessionId):
                        // Not cancelled with the session's tasks (a failed store call closes the
                        // connection from one of them, and the session then cancels them all).
                        await Task {
                            await self.disconnected(worker, connection: connection, session: sessionId, logger: logger)
                        }.value
                    }
                }
            }
        }

        // Ends when the writer below has sent what the session queued last.
        let (written, writerDone) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { writerDone.finish() }
                for await message in outbox { try await outbound.write(message) }
                // The outbox ends when the machine closes the connection, when a newer connection
                // replaced this one, when this coordinator stopped leading, or on shutdown: close
                // the channel, which also ends the read loop below.
                channel.close(promise: nil)
            }
            group.addTask {
                for await batch in batches {
                    do {
                        let done = try await self.store.persist(batch, worker: worker)
                        self.store.metrics.fillsPersisted.increment(by: done.fillsInserted)
                        for case .progress(let m) in batch {
                            self.store.metrics.progress(job: m.header.jobId, equity: m.equity)
                        }
                        if done.checkpointsDropped > 0 {
                            logger.debug("dropped stale checkpoints", metadata: ["count": "\(done.checkpointsDropped)"])
                        }
                        await run(.persisted(done))
                    } catch {
                        await run(.failed("could not persist a message: \(String(reflecting: error))"))
                    }
                }
            }
            group.addTask {
                for await beat in beats {
                    do {
                        try await self.renewals.renew(worker)
                        self.store.metrics.leaseRenewals.increment()
                        await run(.renewed(beat))
                    } catch {
                        await run(.failed("could not renew the leases: \(String(reflecting: error))"))
                    }
                }
            }
            defer {
                batchSink.finish()
                beatSink.finish()
                group.cancelAll()
            }
            // The connection claims the worker id, then is registered and reconciled; it reads no
            // frame before it is open, so Welcome is always its first frame after the challenge.
            let claim: WorkerSession.Event
            // A credential crosses only TLS, or a connection from this machine.
            let loopback =
                channel.remoteAddress.map { address in
                    guard let ip = address.ipAddress else { return false }
                    return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
                } ?? false
            switch await hub.claim(hello, outbox: continuation, secure: configuration.tls != nil || loopback) {
            case .duplicate(let host):
                logger.warning("refused a second process under a connected worker id", metadata: ["other": "\(host)"])
                claim = .duplicate(host: host)
            case .claimed(let c, let s, let replaced):
                replaced?.outbox.finish()
                claim = .claimed(connection: c, sessionId: s)
            }
            _ = machine.withLock { $0.start() }
            await run(claim)
            do {
                while !machine.withLock({ $0.isClosed }), let message = try await messages.next() {
                    store.metrics.framesReceived.increment()
                    await run(.frame(message))
                }
            } catch {
                await run(.closed)
                await Self.drained(written)
                throw error
            }
            await run(.closed)
            // The session finished the outbox; let the writer send its last frames (a refusal
            // says why) before the tasks are cancelled and the channel closes under them.
            await Self.drained(written)
        }
    }

    private func disconnected(_ worker: String, connection: UInt64, session: String, logger: Logger) async {
        guard await hub.unregister(worker, connection: connection) else { return }
        // Its leases stay until they expire: the worker may be alive behind a partition, and it
        // stops its jobs by itself before then. When the coordinator itself stops, workers keep
        // their jobs and reconnect to the next coordinator.
        guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
        do {
            try await store.workerDisconnected(worker, session: session)
            logger.info("worker disconnected: its leases run out unless it comes back")
        } catch {
            logger.error("could not record the disconnection", metadata: ["error": "\(error)"])
        }
        scheduler.trigger()
    }
}

extension TimeAmount {
    init(_ d: Duration) { self = .milliseconds(d.milliseconds) }
}

extension WorkerServer {
    /// Waits for the connection's writer to finish, at most a second (a peer that reads nothing
    /// must not hold the session open).
    static func drained(_ written: AsyncStream<Void>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in written {} }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
    }
}
