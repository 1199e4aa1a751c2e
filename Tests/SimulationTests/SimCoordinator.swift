import ATSCoordinator
import ATSShared

/// One incarnation of the coordinator (a restart is a new one, under a new leadership term): the
/// hub of connected workers, each connection's ``WorkerSession``, and scheduling passes
/// (``SchedulingPass``), their actions carried out against the simulation's store and network as
/// `WorkerServer` and `SchedulerService` carry them out against PostgreSQL and sockets.
final class SimCoordinator {
    struct HubEntry {
        var connection: UInt64
        var conn: SimConnection
        var sessionId: String
        var instance: String
        var capacity: Int
        /// It holds a sweep's chunks ahead (its hello's capabilities).
        var ahead: Bool
        var open = false
        var draining = false
    }

    unowned let sim: Simulation
    let incarnation: Int
    var hub: [String: HubEntry] = [:]
    var memo = RequestMemo()
    var connections: [Int: SimConnection] = [:]
    private var nextConnection: UInt64 = 0
    private var pass: SchedulingPass?
    private var passAgain = false
    var legacy: Bool { sim.options.legacyHello }

    init(sim: Simulation, incarnation: Int) {
        self.sim = sim
        self.incarnation = incarnation
    }

    private var alive: Bool { sim.coordinator === self }

    // MARK: Timers

    /// Idle connections (no whole frame within the lease timeout) and slow handshakes are closed,
    /// as `FrameDeadlineHandler` closes them.
    func tick() {
        guard alive else { return }
        for c in connections.values.sorted(by: { $0.id < $1.id }) where !c.coordinatorClosed {
            let silent = sim.now - c.lastFrameAt > sim.options.leaseMs
            let slow = c.session == nil && sim.now - c.acceptedAt > 2 * sim.options.leaseMs
            if silent || slow {
                sim.note("coordinator closes #\(c.id) of \(c.worker.id): \(silent ? "idle" : "no hello")")
                end(c)
            }
        }
        sim.schedule(at: sim.now + 100, "coordinator tick") { self.tick() }
    }

    func schedulerTick() {
        guard alive else { return }
        trigger()
        sim.schedule(at: sim.now + 250, "scheduler tick") { self.schedulerTick() }
    }

    // MARK: Connections

    func accept(_ c: SimConnection) {
        connections[c.id] = c
        c.acceptedAt = sim.now
        c.lastFrameAt = sim.now
        c.nonce = sim.rng.bytes(HandshakeProof.nonceSize)
        sim.send(
            .challenge(Challenge(nonce: c.nonce, coordinatorId: "coordinator-\(incarnation)")), on: c,
            toCoordinator: false)
    }

    func receive(_ message: WireMessage, on c: SimConnection) {
        c.lastFrameAt = sim.now
        guard c.session != nil else { return hello(message, on: c) }
        feed(c, .frame(message))
    }

    /// The first frame: a hello, checked as `WorkerServer.check` checks it.
    private func hello(_ message: WireMessage, on c: SimConnection) {
        guard case .hello(let hello)? = try? c.rules.accept(message),
            HandshakeProof.isValidWorker(
                hello.proof, secret: Simulation.secret, version: hello.protocolVersion, workerId: hello.workerId,
                coordinatorNonce: c.nonce, workerNonce: hello.workerNonce)
        else {
            sim.send(.refuse(Refuse(code: .badRequest, reason: "expected a valid Hello")), on: c, toCoordinator: false)
            end(c)
            return
        }
        let proof = HandshakeProof.coordinator(
            secret: Simulation.secret, version: hello.protocolVersion, workerId: hello.workerId,
            coordinatorNonce: c.nonce, workerNonce: hello.workerNonce)
        let welcome = Welcome(
            coordinatorId: "coordinator-\(incarnation)", heartbeatIntervalMs: UInt32(sim.options.heartbeatMs),
            leaseTimeoutMs: UInt32(sim.options.leaseMs), proof: proof)
        let session = WorkerSession(hello: hello, rules: c.rules, welcome: welcome)
        _ = session.start()
        c.session = session
        // The hub's claim of the worker id.
        if let previous = hub[hello.workerId], previous.instance != hello.instance {
            feed(c, .duplicate(host: previous.conn.worker.id))
            return
        }
        nextConnection += 1
        let previous = hub[hello.workerId]
        let sessionId = "s\(incarnation)-\(nextConnection)"
        hub[hello.workerId] = HubEntry(
            connection: nextConnection, conn: c, sessionId: sessionId, instance: hello.instance,
            capacity: Int(hello.capacity), ahead: hello.capabilities.contains(WorkerCapability.chunksAhead))
        if let previous { end(previous.conn) }
        feed(c, .claimed(connection: nextConnection, sessionId: sessionId))
    }

    func connectionEnded(_ c: SimConnection) {
        c.coordinatorClosed = true
        feed(c, .closed)
    }

    /// Closes a connection from this side: its outbox ends, the writer closes the socket, the
    /// read loop ends.
    private func end(_ c: SimConnection) {
        sim.close(c, byCoordinator: true)
        feed(c, .closed)
    }

    private func feed(_ c: SimConnection, _ event: WorkerSession.Event) {
        guard alive, var session = c.session else { return }
        let actions = session.handle(event)
        c.session = session
        for action in actions { perform(action, c, session.hello) }
    }

    private func perform(_ action: WorkerSession.Action, _ c: SimConnection, _ hello: Hello) {
        let worker = hello.workerId
        switch action {
        case .claim:
            break
        case .connect(let sessionId):
            if legacy { return legacyConnect(hello, c) }
            let order = Int64(incarnation) << 32 | Int64(c.session?.connection ?? 0)
            sim.transaction(
                "connect \(worker)",
                { self.sim.store.connect(hello, session: sessionId, order: order, now: self.sim.now) }
            ) {
                if let reconciled = $0 {
                    self.feed(c, .connected(reconciled))
                } else {
                    self.feed(c, .failed("a newer connection of the worker registered first"))
                }
            }
        case .send(let message):
            if !c.coordinatorClosed { sim.send(message, on: c, toCoordinator: false) }
        case .open(let reconciled):
            if hub[worker]?.conn === c {
                hub[worker]?.open = true
                hub[worker]?.draining = reconciled.drained
            }
            memo.forget(worker: worker)
            trigger()
        case .persist(let batch):
            sim.transaction("persist \(batch.count) from \(worker)", { self.sim.store.persist(batch, worker: worker) })
            {
                self.feed(c, .persisted($0))
            }
        case .renew(let beat):
            sim.transaction("renew \(worker)", { self.sim.store.heartbeat(worker: worker, now: self.sim.now) }) {
                self.feed(c, .renewed(beat))
            }
        case .markDraining:
            hub[worker]?.draining = true
        case .diverged(let lease):
            sim.violation("job \(lease.jobId) failed: its fills diverged (\(sim.store.divergences.last ?? ""))")
            sim.send(
                .stop(StopJob(jobId: lease.jobId, epoch: lease.epoch, reason: "fills diverged")), on: c,
                toCoordinator: false)
        case .schedule:
            trigger()
        case .close:
            sim.close(c, byCoordinator: true)
        case .disconnect(let connection, let sessionId):
            guard hub[worker]?.connection == connection else { return }
            hub[worker] = nil
            sim.transaction("disconnected \(worker)", { self.sim.store.workerDisconnected(worker, session: sessionId) })
            {
                _ in
            }
            trigger()
        }
    }

    /// The old ordering: register (the connection takes jobs), then read the worker's leases,
    /// release those it does not run, and renew everything it holds, each its own transaction.
    private func legacyConnect(_ hello: Hello, _ c: SimConnection) {
        let worker = hello.workerId
        let session = c.session
        sim.transaction("register \(worker)", { self.sim.store.registerOnly(hello, session: "") }) { reconciled in
            guard c.session?.sessionId == session?.sessionId else { return }
            self.feed(c, .connected(reconciled))
            self.sim.transaction("read the leases of \(worker)", { self.sim.store.owned(by: worker) }) { held in
                let runs = Set(hello.running)
                let gone = held.filter { !runs.contains(JobLease(jobId: $0.id, epoch: $0.epoch)) }.map(\.id)
                self.sim.transaction(
                    "release what \(worker) does not run", { self.sim.store.releaseLegacy(worker, gone) }
                ) {
                    _ in
                    self.sim.transaction(
                        "renew \(worker)", { self.sim.store.heartbeat(worker: worker, now: self.sim.now) }
                    ) {
                        _ in
                    }
                }
            }
        }
    }

    // MARK: Scheduling

    func trigger() {
        guard alive else { return }
        if pass != nil {
            passAgain = true
            return
        }
        var p = SchedulingPass(term: Int64(incarnation))
        let action = p.start(memo: &memo)
        pass = p
        carryOut(action)
    }

    private func next(_ event: SchedulingPass.Event) {
        guard alive, var p = pass else { return }
        let action = p.handle(event, memo: &memo)
        pass = p
        carryOut(action)
    }

    private func carryOut(_ action: SchedulingPass.Action) {
        let store = { self.sim.store }
        switch action {
        case .reap:
            let sparing = Set(hub.filter { !legacy || $0.value.open }.keys)
            sim.transaction("reap", { self.sim.store.reap(sparing: sparing, now: self.sim.now) }) {
                if !$0.isEmpty { self.sim.note("leases expired: \($0)") }
                self.next(.reaped($0))
            }
        case .readStopRequests:
            sim.transaction("stop requests", { store().stopRequests() }) { self.next(.stopRequests($0)) }
        case .readReloadRequests:
            sim.transaction("reload requests", { store().reloadRequests() }) { self.next(.reloadRequests($0)) }
        case .readPendingJobs:
            sim.transaction("pending jobs", { (store().pendingJobs(), store().heldCounts()) }) { pending, held in
                let open = self.hub.values.filter { $0.open && !$0.draining }.sorted {
                    $0.conn.worker.id < $1.conn.worker.id
                }.map {
                    SchedulingPass.OpenWorker(
                        slot: Scheduler.WorkerSlot(
                            id: $0.conn.worker.id,
                            load: WorkerLoad(
                                capacity: $0.capacity, ahead: $0.ahead, jobs: held[$0.conn.worker.id]?.jobs ?? 0,
                                chunks: held[$0.conn.worker.id]?.chunks ?? 0), labels: []),
                        sessionId: $0.sessionId, capacity: $0.capacity)
                }
                self.next(.pending(pending, open: open))
            }
        case .send(let message, let worker, let session):
            var sent = false
            if let e = hub[worker], e.open, legacy || session == nil || session == e.sessionId,
                !e.conn.coordinatorClosed
            {
                sim.send(message, on: e.conn, toCoordinator: false)
                sent = true
            }
            next(.sent(sent))
        case .assign(let job, let worker, let session, let capacity, let ahead):
            sim.transaction(
                "assign job \(job) to \(worker)",
                {
                    self.sim.store.assign(
                        job: job, to: worker, session: self.legacy ? nil : session,
                        capacity: self.legacy ? nil : capacity, ahead: ahead, now: self.sim.now)
                }
            ) { self.next(.assigned($0)) }
        case .unassign(let job, let epoch, let worker):
            // The old code left an unsent assignment in place.
            if legacy { return next(.unassigned) }
            sim.transaction("unassign job \(job)", { self.sim.store.unassign(job: job, epoch: epoch, worker: worker) })
            {
                self.next(.unassigned)
            }
        case .done:
            pass = nil
            if passAgain {
                passAgain = false
                trigger()
            }
        }
    }
}
