import ATSCoordinator
import ATSEngine
import ATSShared
import ATSWorker

/// A deterministic simulation of a whole cluster, driven by one seed: a coordinator (the real
/// ``WorkerSession`` and ``SchedulingPass`` state machines over an in-memory ``StoreModel``),
/// several workers (the real ``WorkerConnection``, ``LeaseClock``, ``OutboxBuffer`` and
/// ``RevisionCursor``, with ``SimJob``s), and a network that delays, drops, duplicates, resets and
/// partitions; clocks that drift; crashes and restarts of workers and of the coordinator (a new
/// leadership term); drains; operators who stop, start and reload jobs; and a database that
/// stalls. Invariants are checked after every event. The same seed replays the same run.
final class Simulation {
    struct Options {
        var seed: UInt64
        /// The hello's old ordering (before issue 16): reconcile in steps, register after, renew
        /// every lease the worker names, assignments bound to no connection and never taken back.
        var legacyHello = false
        var trace = false
        var faultsUntilMs: Int64 = 12_000
        var endMs: Int64 = 90_000
        var leaseMs: Int64 = 1_000
        var heartbeatMs: Int64 = 200
        var drainTimeoutMs: Int64 = 1_500
    }

    struct JobPlan {
        var bars: Int
        var checkpointEvery: Int
        var failsAt: Int?
        var barMs: Int64
    }

    let options: Options
    var rng: SeededRandom
    private(set) var now: Int64 = 0
    private var queue = EventQueue<() -> Void>()
    var store: StoreModel
    var coordinator: SimCoordinator?
    var coordinatorIncarnation = 0
    var workers: [SimWorker] = []
    var plans: [Int64: JobPlan] = [:]
    var violations: [String] = []
    var trace: [String] = []
    var coverage: [String: Int] = [:]
    var events = 0
    var dbStallUntil: Int64 = 0
    var nextConnectionId = 0
    static let secret = "simulated cluster secret"

    init(_ options: Options) {
        self.options = options
        rng = SeededRandom(seed: options.seed)
        store = StoreModel(leaseMs: options.leaseMs)
    }

    // MARK: Running

    func schedule(at time: Int64, _ label: @autoclosure () -> String, _ run: @escaping () -> Void) {
        queue.push(at: max(time, now), options.trace ? label() : "", run)
    }

    func note(_ line: @autoclosure () -> String) {
        if options.trace { trace.append("\(now)ms \(line())") }
    }

    func violation(_ what: String) {
        violations.append("t=\(now)ms: \(what)")
        note("VIOLATION \(what)")
    }

    /// Runs the seed to its end; returns the violations found.
    func run() -> [String] {
        setUp()
        while let e = queue.pop() {
            guard e.time <= options.endMs, violations.isEmpty else { break }
            now = e.time
            events += 1
            if options.trace && !e.label.isEmpty { trace.append("\(now)ms \(e.label)") }
            e.run()
            checkSafety()
            if events % 200 == 0 { checkFills() }
            if now > options.faultsUntilMs, settled { break }
        }
        if violations.isEmpty { checkEnd() }
        return violations
    }

    private func setUp() {
        let workerCount = Int(rng.int(2...3))
        let jobCount = Int(rng.int(3...6))
        let chunks = rng.chance(0.5)
        for k in 1...jobCount {
            let id = Int64(k)
            let bars = Int(rng.int(20...60))
            plans[id] = JobPlan(
                bars: bars, checkpointEvery: Int(rng.int(4...12)),
                failsAt: rng.chance(0.1) ? Int(rng.int(2...Int64(bars - 1))) : nil, barMs: rng.int(20...120))
            // Half the runs have a sweep's chunks among their jobs: held ahead by a busy worker.
            store.create(id: id, config: rng.bytes(2), chunk: chunks && rng.chance(0.7))
        }
        for k in 1...workerCount {
            let w = SimWorker(
                id: "w\(k)", capacity: Int(rng.int(1...3)), rate: 1 + Double(rng.int(-10...10)) / 1_000,
                offset: rng.int(0...1_000_000))
            workers.append(w)
            startWorker(w, at: rng.int(0...200))
        }
        startCoordinator(at: 0)
        scheduleFault()
    }

    /// The fault phase is over, every job ended as it should and nothing runs.
    private var settled: Bool {
        store.jobs.values.allSatisfy { $0.status.isTerminal } && workers.allSatisfy { $0.jobs.isEmpty }
    }

    // MARK: Faults

    private func scheduleFault() {
        let at = now + rng.int(50...600)
        guard at < options.faultsUntilMs else {
            schedule(at: options.faultsUntilMs, "faults end: heal everything") { self.healAll() }
            return
        }
        schedule(at: at, "fault") {
            self.fault()
            self.scheduleFault()
        }
    }

    private func fault() {
        let roll = rng.int(0...99)
        let w = workers[Int(rng.int(0...Int64(workers.count - 1)))]
        let job = Int64(rng.int(1...Int64(plans.count)))
        switch roll {
        case 0..<14:
            if let c = w.connection {
                note("FAULT reset the connection of \(w.id)")
                reset(c)
            }
        case 14..<24:
            let until = now + rng.int(100...2_500)
            note("FAULT partition \(w.id) until \(until)ms")
            w.partitionedUntil = max(w.partitionedUntil, until)
        case 24..<32:
            if w.alive {
                note("FAULT crash \(w.id)")
                crash(w, restartAfter: rng.int(50...2_000))
            }
        case 32..<35:
            if coordinator != nil {
                note("FAULT crash the coordinator")
                crashCoordinator(restartAfter: rng.int(50...1_500))
            }
        case 35..<43:
            if w.alive && !w.draining {
                note("FAULT drain \(w.id) (SIGTERM)")
                drain(w)
            }
        case 43..<51:
            dbStallUntil = max(dbStallUntil, now + rng.int(100...1_500))
            note("FAULT the database stalls until \(dbStallUntil)ms")
        case 51..<68:
            let config = rng.bytes(2)
            note("OPERATOR reload job \(job) to \(config)")
            store.request(.reloadRequested, job: job, config: config)
            coordinator?.trigger()
        case 68..<76:
            note("OPERATOR stop job \(job)")
            store.request(.stopRequested, job: job)
            coordinator?.trigger()
        case 76..<88:
            note("OPERATOR start job \(job)")
            store.request(.startRequested, job: job)
            coordinator?.trigger()
        case 88..<94:
            if let c = w.connection, let last = c.lastJobMessage {
                note("FAULT the network duplicates \(last.name) from \(w.id)")
                send(last, on: c, toCoordinator: true)
            }
        default:
            // A latency spike on one connection: what it sends next arrives late.
            if let c = w.connection {
                let delay = rng.int(200...1_500)
                note("FAULT \(w.id)'s link stalls for \(delay)ms")
                c.lastToCoordinator = max(c.lastToCoordinator, now + delay)
                c.lastToWorker = max(c.lastToWorker, now + delay)
            }
        }
    }

    /// After the faults: the network heals, stopped processes come back, and every job an
    /// operator left wanting to run must complete.
    private func healAll() {
        for w in workers {
            w.partitionedUntil = 0
            if !w.alive && !w.restartPending { startWorker(w, at: now + 10) }
        }
        dbStallUntil = 0
        if coordinator == nil && !coordinatorRestartPending { startCoordinator(at: now + 10) }
    }

    // MARK: The network

    func latency() -> Int64 { rng.chance(0.05) ? rng.int(20...150) : rng.int(1...8) }

    /// When a frame sent now toward or from `worker` arrives (held while it is partitioned).
    private func arrival(_ worker: SimWorker) -> Int64 {
        (worker.partitionedUntil > now ? worker.partitionedUntil : now) + latency()
    }

    func send(_ message: WireMessage, on c: SimConnection, toCoordinator: Bool) {
        if toCoordinator ? c.workerClosed : c.coordinatorClosed { return }
        if toCoordinator, message.jobHeader != nil { c.lastJobMessage = message }
        var at = arrival(c.worker)
        if toCoordinator {
            at = max(at, c.lastToCoordinator)
            c.lastToCoordinator = at
        } else {
            at = max(at, c.lastToWorker)
            c.lastToWorker = at
        }
        schedule(
            at: at,
            "deliver \(message.name) \(toCoordinator ? "\(c.worker.id) → coordinator" : "coordinator → \(c.worker.id)") on #\(c.id)\(Self.describe(message))"
        ) {
            guard !c.reset else { return }
            if toCoordinator {
                guard !c.coordinatorClosed, let co = self.coordinator, co.incarnation == c.coordinatorIncarnation else {
                    return
                }
                self.coverage[message.name, default: 0] += 1
                co.receive(message, on: c)
            } else {
                guard !c.workerClosed, c.worker.connection === c, c.worker.alive else { return }
                self.coverage[message.name, default: 0] += 1
                c.worker.receive(message, on: c)
            }
        }
    }

    static func describe(_ m: WireMessage) -> String {
        switch m {
        case .assign(let a):
            " job \(a.jobId) epoch \(a.epoch) schedule \(a.schedule.map { "r\($0.revision)@\($0.atBar)" }) replay<\(a.replayUntilBar)"
        case .stop(let s): " job \(s.jobId) epoch \(s.epoch)"
        case .reload(let r): " job \(r.jobId) epoch \(r.epoch) revision \(r.revision)"
        case .fills(let f):
            " job \(f.header.jobId) epoch \(f.header.epoch) seqs \(f.fills.map(\.seq)) r\(f.specRevision) #\(f.header.messageSeq)"
        case .checkpoint(let c):
            " job \(c.header.jobId) epoch \(c.header.epoch) bar \(c.cursor) r\(c.specRevision) #\(c.header.messageSeq)"
        case .finished(let f): " job \(f.header.jobId) epoch \(f.header.epoch) \(f.outcome) #\(f.header.messageSeq)"
        case .reloadApplied(let r):
            " job \(r.header.jobId) epoch \(r.header.epoch) r\(r.revision)@\(r.bar) #\(r.header.messageSeq)"
        case .ack(let a): " \(a.messageSeq)"
        case .hello(let h): " running \(h.running.map { "\($0.jobId)/\($0.epoch)" })"
        default: m.jobHeader.map { " job \($0.jobId) epoch \($0.epoch) #\($0.messageSeq)" } ?? ""
        }
    }

    /// One side closes: the other sees the end after what was sent before it.
    func close(_ c: SimConnection, byCoordinator: Bool) {
        if byCoordinator {
            guard !c.coordinatorClosed else { return }
            c.coordinatorClosed = true
            let at = max(arrival(c.worker), c.lastToWorker)
            schedule(at: at, "\(c.worker.id) sees connection #\(c.id) closed") {
                guard !c.workerClosed else { return }
                c.worker.connectionEnded(c)
            }
        } else {
            guard !c.workerClosed else { return }
            c.workerClosed = true
            let at = max(arrival(c.worker), c.lastToCoordinator)
            schedule(at: at, "coordinator sees connection #\(c.id) closed") {
                guard !c.coordinatorClosed, let co = self.coordinator, co.incarnation == c.coordinatorIncarnation
                else { return }
                co.connectionEnded(c)
            }
        }
    }

    /// A reset: whatever is in flight is lost, both sides see the end.
    func reset(_ c: SimConnection) {
        c.reset = true
        schedule(at: now + latency(), "connection #\(c.id) reset") {
            if !c.workerClosed { c.worker.connectionEnded(c) }
            if !c.coordinatorClosed, let co = self.coordinator, co.incarnation == c.coordinatorIncarnation {
                co.connectionEnded(c)
            }
        }
    }

    /// A worker dials the coordinator.
    func dial(_ w: SimWorker) {
        guard w.alive, w.connection == nil else { return }
        let incarnation = w.incarnation
        guard w.partitionedUntil <= now, let co = coordinator else {
            schedule(at: now + latency() + 20, "\(w.id) could not connect") {
                guard w.alive, w.incarnation == incarnation else { return }
                w.redial()
            }
            return
        }
        nextConnectionId += 1
        let c = SimConnection(id: nextConnectionId, worker: w, coordinatorIncarnation: co.incarnation)
        w.dialed(c)
        schedule(at: now + latency(), "coordinator accepts #\(c.id) from \(w.id)") {
            guard let co = self.coordinator, co.incarnation == c.coordinatorIncarnation else {
                c.coordinatorClosed = true
                if !c.workerClosed { c.worker.connectionEnded(c) }
                return
            }
            co.accept(c)
        }
    }

    // MARK: The store, with its latency

    /// A transaction of the coordinator: it commits after the database's latency, and the
    /// coordinator acts on its result. A coordinator that died meanwhile never hears the result;
    /// the transaction committed or not.
    func transaction<R>(_ label: @autoclosure () -> String, _ body: @escaping () -> R, then: @escaping (R) -> Void) {
        let incarnation = coordinatorIncarnation
        let at = max(now, dbStallUntil) + rng.int(1...6)
        schedule(at: at, "commit \(label())") {
            guard let co = self.coordinator, co.incarnation == incarnation else {
                if self.rng.chance(0.5) { _ = body() }
                return
            }
            then(body())
        }
    }

    // MARK: Processes

    var coordinatorRestartPending = false

    func startCoordinator(at time: Int64) {
        coordinatorRestartPending = true
        schedule(at: time, "coordinator starts") {
            self.coordinatorRestartPending = false
            self.coordinatorIncarnation += 1
            let co = SimCoordinator(sim: self, incarnation: self.coordinatorIncarnation)
            self.coordinator = co
            co.tick()
            co.schedulerTick()
        }
    }

    func crashCoordinator(restartAfter delay: Int64) {
        guard let co = coordinator else { return }
        coordinator = nil
        for c in co.connections.values.sorted(by: { $0.id < $1.id }) where !c.coordinatorClosed {
            close(c, byCoordinator: true)
        }
        if now + delay < options.faultsUntilMs { startCoordinator(at: now + delay) }
    }

    func startWorker(_ w: SimWorker, at time: Int64) {
        w.restartPending = true
        schedule(at: time, "\(w.id) starts") {
            w.restartPending = false
            w.start(in: self)
        }
    }

    func crash(_ w: SimWorker, restartAfter delay: Int64) {
        w.stop()
        if now + delay < options.faultsUntilMs { startWorker(w, at: now + delay) }
    }

    func drain(_ w: SimWorker) {
        w.drain()
        let incarnation = w.incarnation
        schedule(at: now + options.drainTimeoutMs, "\(w.id) drain deadline") {
            guard w.alive, w.incarnation == incarnation else { return }
            w.drainDeadlinePassed()
        }
    }

    /// A drained or crashed worker process is gone: systemd starts it again.
    func exited(_ w: SimWorker) {
        let delay = rng.int(50...1_000)
        if now + delay < options.faultsUntilMs || now > options.faultsUntilMs { startWorker(w, at: now + delay) }
    }
}
