import ATSShared
import ATSWorker

/// A simulated worker process: the real ``WorkerConnection`` machine, ``LeaseClock`` and
/// ``OutboxBuffer``, on a clock that drifts, with ``SimJob``s stepped one bar at a time. A crash
/// loses everything in memory; a restart is a new process (a new hello instance).
final class SimWorker {
    let id: String
    let capacity: Int
    /// This worker's clock runs at `rate` (drift) from `offset`.
    let rate: Double
    let offset: Int64
    unowned var sim: Simulation!
    var incarnation = 0
    var alive = false
    var restartPending = false
    var machine: WorkerConnection
    var lease = LeaseClock()
    var outbox = OutboxBuffer(limit: 64)
    /// Running jobs, by assignment (an older epoch of a job may still be finishing).
    var jobs: [JobLease: SimJob] = [:]
    /// The lease generation each job started under.
    var generations: [JobLease: Int] = [:]
    /// The jobs holding a slot (stepping), and a sweep's chunks held ahead waiting for one, in
    /// order (the worker service's ``RunSlots``).
    var running: Set<JobLease> = []
    var waiting: [JobLease] = []
    var connection: SimConnection?
    var backoffMs: Int64 = 50
    var partitionedUntil: Int64 = 0
    var draining = false

    init(id: String, capacity: Int, rate: Double, offset: Int64) {
        self.id = id
        self.capacity = capacity
        self.rate = rate
        self.offset = offset
        machine = WorkerConnection(identity: Self.identity(id, capacity, 0))
    }

    static func identity(_ id: String, _ capacity: Int, _ incarnation: Int) -> WorkerConnection.Identity {
        .init(
            workerId: id, secret: Simulation.secret, host: "host-\(id)", capacity: capacity, labels: [],
            softwareVersion: "sim", instance: "\(id)#\(incarnation)")
    }

    /// This process's monotonic clock, in milliseconds.
    var local: Int64 { offset + Int64((Double(sim.now) * rate).rounded(.down)) }

    /// Whether the job believes it holds its lease now.
    func holdsLease(_ job: JobLease) -> Bool {
        lease.isValid(nowMs: local) && generations[job] == lease.generation
    }

    // MARK: Process

    func start(in sim: Simulation) {
        self.sim = sim
        incarnation += 1
        alive = true
        draining = false
        machine = WorkerConnection(identity: Self.identity(id, capacity, incarnation))
        lease = LeaseClock()
        outbox = OutboxBuffer(limit: 64)
        jobs = [:]
        generations = [:]
        running = []
        waiting = []
        connection = nil
        backoffMs = 50
        sim.note("\(id) process \(incarnation) up")
        sim.dial(self)
        heartbeatTimer()
    }

    /// Gone (killed, or exited after a drain): the kernel closes its socket.
    func stop() {
        guard alive else { return }
        alive = false
        if let c = connection { sim.close(c, byCoordinator: false) }
        connection = nil
        jobs = [:]
        running = []
        waiting = []
    }

    private func heartbeatTimer() {
        let incarnation = incarnation
        let every = Int64((Double(machine.link?.heartbeatIntervalMs ?? 50) / rate).rounded(.up))
        sim.schedule(at: sim.now + every, "\(id) heartbeat timer") {
            guard self.alive, self.incarnation == incarnation else { return }
            self.perform(self.machine.tick(nowMs: self.local))
            self.heartbeatTimer()
        }
    }

    // MARK: Connection

    func dialed(_ c: SimConnection) {
        connection = c
        machine.dialed(workerNonce: sim.rng.bytes(HandshakeProof.nonceSize))
        let incarnation = incarnation
        // A coordinator that does not finish the handshake in time is dropped.
        sim.schedule(at: sim.now + 2 * sim.options.leaseMs, "\(id) handshake deadline #\(c.id)") {
            guard self.alive, self.incarnation == incarnation, self.connection === c, !self.machine.isConnected
            else { return }
            self.closeConnection("handshake deadline")
        }
    }

    func redial() {
        let wait = backoffMs / 2 + sim.rng.int(0...backoffMs / 2)
        backoffMs = min(backoffMs * 2, 1_000)
        let incarnation = incarnation
        sim.schedule(at: sim.now + wait, "\(id) dials") {
            guard self.alive, self.incarnation == incarnation else { return }
            self.sim.dial(self)
        }
    }

    func receive(_ message: WireMessage, on c: SimConnection) {
        perform(machine.received(message, nowMs: local))
    }

    func connectionEnded(_ c: SimConnection) {
        c.workerClosed = true
        guard connection === c else { return }
        connection = nil
        machine.disconnected()
        if alive { redial() }
    }

    private func closeConnection(_ reason: String) {
        guard let c = connection else { return }
        sim.note("\(id) closes #\(c.id): \(reason)")
        sim.close(c, byCoordinator: false)
        connectionEnded(c)
    }

    func perform(_ actions: [WorkerConnection.Action]) {
        for action in actions {
            switch action {
            case .send(let m):
                if let c = connection { sim.send(m, on: c, toCoordinator: true) }
            case .close(let reason):
                closeConnection(reason)
            case .refused(let r):
                sim.violation("\(id) refused: \(r.reason)")
            case .welcomed:
                backoffMs = 50
                if let c = connection { for m in outbox.unacknowledged { sim.send(m, on: c, toCoordinator: true) } }
            case .confirmLease(let sent, let timeout, let margin):
                lease.confirm(sentMs: sent, leaseTimeoutMs: timeout, marginMs: margin, nowMs: local)
            case .start(let a):
                guard let plan = sim.plans[a.jobId] else { continue }
                let l = JobLease(jobId: a.jobId, epoch: a.epoch)
                jobs[l] = SimJob(a, bars: plan.bars, checkpointEvery: plan.checkpointEvery, failsAt: plan.failsAt)
                generations[l] = lease.generation
                if a.sweepChunk && running.count >= capacity {
                    sim.note("\(id) holds chunk \(l.jobId) epoch \(l.epoch) ahead")
                    sim.coverage["chunk held ahead", default: 0] += 1
                    waiting.append(l)
                } else {
                    run(l)
                }
            case .signal(let l, let signal):
                if jobs[l] != nil, jobs[l]!.request == nil || signal == .stop { jobs[l]!.request = signal }
                // A chunk still waiting for a slot ends without running.
                if let k = waiting.firstIndex(of: l), let request = jobs[l]!.request {
                    waiting.remove(at: k)
                    sim.coverage["chunk held ahead withdrawn", default: 0] += 1
                    emit {
                        .finished(
                            JobFinished(
                                header: JobHeader(jobId: l.jobId, epoch: l.epoch, messageSeq: $0),
                                outcome: request == .release ? .released : .stopped, statistics: []))
                    }
                    ended(l, "withdrawn while held ahead")
                }
            case .reload(let l, let revision, let config):
                if jobs[l] != nil, jobs[l]!.reload.map({ revision > $0.revision }) ?? true {
                    jobs[l]!.reload = (revision, config)
                }
            case .ack(let seq):
                outbox.ack(seq)
                checkDrained()
            case .handBack(let a):
                emit {
                    .finished(
                        JobFinished(
                            header: JobHeader(jobId: a.jobId, epoch: a.epoch, messageSeq: $0), outcome: .released,
                            statistics: []))
                }
            case .verdict, .ignored:
                // The simulated jobs place no orders (live runs are not modelled yet).
                break
            }
        }
    }

    /// Into the outbox, and out on the connection when connected.
    func emit(_ make: (UInt64) -> WireMessage) {
        guard let m = outbox.append(make) else { return }
        if machine.isConnected, let c = connection { sim.send(m, on: c, toCoordinator: true) }
    }

    // MARK: Jobs

    private func step(_ l: JobLease, after delay: Int64) {
        let incarnation = incarnation
        sim.schedule(at: sim.now + delay, "\(id) steps job \(l.jobId) epoch \(l.epoch)") {
            guard self.alive, self.incarnation == incarnation, var job = self.jobs[l] else { return }
            guard self.outbox.hasRoom else { return self.step(l, after: 20) }
            let valid = self.holdsLease(l)
            let outcome = job.step(leaseValid: valid) { self.emit($0) }
            switch outcome {
            case .running:
                self.jobs[l] = job
                self.step(l, after: self.sim.plans[l.jobId]!.barMs)
            case .ended(let how):
                self.ended(l, "\(how) at bar \(job.cursor)")
            }
        }
    }

    /// Takes a slot and steps the job; no more jobs of the worker's current assignments step at
    /// once than its capacity.
    private func run(_ l: JobLease) {
        running.insert(l)
        let current = running.filter { machine.jobs[$0.jobId] == $0.epoch }.count
        if current > capacity {
            sim.violation("\(id) runs \(current) of its assignments at once, over its capacity \(capacity)")
        }
        step(l, after: 1)
    }

    /// The job ended here: its slot goes to the first chunk waiting.
    private func ended(_ l: JobLease, _ how: String) {
        sim.note("\(id) job \(l.jobId) epoch \(l.epoch) \(how)")
        jobs[l] = nil
        generations[l] = nil
        if running.remove(l) != nil, running.count < capacity, !waiting.isEmpty {
            run(waiting.removeFirst())
        }
        machine.jobEnded(l)
        checkDrained()
    }

    func drain() {
        draining = true
        perform(machine.drain(nowMs: local))
        outbox.setUnbounded()
        checkDrained()
    }

    /// A draining worker exits once every job is handed over and acknowledged.
    private func checkDrained() {
        guard draining, alive, jobs.isEmpty, outbox.count == 0 else { return }
        sim.note("\(id) drained: exits")
        stop()
        sim.exited(self)
    }

    func drainDeadlinePassed() {
        guard draining else { return }
        sim.note("\(id) drain deadline: fences itself and exits")
        lease.fence(nowMs: local)
        outbox.close()
        stop()
        sim.exited(self)
    }
}
