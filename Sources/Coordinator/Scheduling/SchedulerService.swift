import ATSShared
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the scheduling loop: on every trigger (a job created or started, a worker connected or
/// freed) and at least every `interval`, it expires lapsed leases, sends stop requests, and assigns
/// pending jobs with ``Scheduler``.
public final class SchedulerService: Service, Sendable {
    let store: JobStore
    let hub: WorkerHub
    let logger: Logger
    let interval: Duration
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Stop and reload requests already sent, so each is sent once per assignment and revision
    /// (until the worker reconnects); and the term they were sent under (a new term starts with no
    /// worker connected).
    private let sent = Mutex<(term: Int64, stops: [JobLease: String], reloads: [ReloadKey: String])>((0, [:], [:]))

    struct ReloadKey: Hashable {
        var jobId: Int64
        var epoch: Int64
        var revision: Int64
    }

    init(store: JobStore, hub: WorkerHub, logger: Logger, interval: Duration = .milliseconds(500)) {
        self.store = store
        self.hub = hub
        self.logger = logger
        self.interval = interval
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a scheduling pass soon.
    public func trigger() { wake.yield() }

    /// Forgets the stop and reload requests sent to a worker (it reconnected; they are sent again
    /// if still due: a reload sent while the worker was away is not lost).
    func forgetRequests(of worker: String) {
        sent.withLock { s in
            s.stops = s.stops.filter { $0.value != worker }
            s.reloads = s.reloads.filter { $0.value != worker }
        }
    }

    public func run() async throws {
        let wake = self.wake
        let interval = self.interval
        await cancelWhenGracefulShutdown {
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        wake.yield()
                    }
                }
                for await _ in self.wakeups {
                    await self.guardedPass()
                }
                group.cancelAll()
            }
        }
    }

    /// A pass that cannot stall scheduling: one that has not returned after `passDeadline`
    /// (a database call that never answers) is cancelled and left behind, and the next wake-up
    /// starts a fresh one. Passes are safe to overlap: every assignment is a conditional update.
    private func guardedPass() async {
        // Whichever comes first, the pass's outcome (nil: success) or the deadline, is the answer.
        let (outcome, resolve) = AsyncStream.makeStream(of: String?.self, bufferingPolicy: .bufferingNewest(1))
        let pass = Task {
            do {
                try await self.pass()
                resolve.yield(nil)
            } catch {
                resolve.yield("\(error)")
            }
        }
        let timer = Task {
            try await Task.sleep(for: Self.passDeadline)
            resolve.yield("no answer within \(Self.passDeadline)")
        }
        var results = outcome.makeAsyncIterator()
        let failure = await results.next() ?? nil
        timer.cancel()
        resolve.finish()
        if let failure, !Task.isCancelled {
            pass.cancel()
            logger.error("scheduling pass failed", metadata: ["error": "\(failure)"])
        }
    }

    static let passDeadline: Duration = .seconds(10)

    /// One scheduling pass; only the leader schedules.
    func pass() async throws {
        guard let term = store.leadership.term else { return }
        sent.withLock { s in
            if s.term != term { s = (term, [:], [:]) }
        }
        let expired = try await store.reapExpiredLeases(sparing: await hub.connectedIds)
        if !expired.isEmpty {
            store.metrics.leasesExpired.increment(by: expired.count)
            logger.info("leases expired", metadata: ["jobs": "\(expired)"])
        }

        for (lease, worker) in try await store.stopRequests() {
            let fresh = sent.withLock { s in
                if s.stops[lease] != nil { return false }
                s.stops[lease] = worker
                return true
            }
            // Not sent (the worker is between connections): tried again next pass.
            if fresh,
                !(await hub.send(
                    .stop(StopJob(jobId: lease.jobId, epoch: lease.epoch, reason: "stop requested")), to: worker))
            {
                _ = sent.withLock { $0.stops.removeValue(forKey: lease) }
            }
        }

        // Reloads are durable revisions: each is sent until the worker reports where it took
        // effect (a job assigned after the reload gets it in its assignment instead).
        for (reload, worker) in try await store.reloadRequests() {
            let key = ReloadKey(jobId: reload.jobId, epoch: reload.epoch, revision: reload.revision)
            let fresh = sent.withLock { s in
                if s.reloads[key] != nil { return false }
                s.reloads[key] = worker
                return true
            }
            if fresh, !(await hub.send(.reload(reload), to: worker)) {
                _ = sent.withLock { $0.reloads.removeValue(forKey: key) }
            }
        }

        let pending = try await store.pendingJobs()
        guard !pending.isEmpty else { return }
        let open = await hub.slots(running: try await store.runningCounts())
        let sessions = Dictionary(open.map { ($0.slot.id, ($0.sessionId, $0.capacity)) }) { a, _ in a }
        for decision in Scheduler.assign(pending: pending, workers: open.map(\.slot)) {
            // A pass cancelled past its deadline assigns nothing more (a newer one has started).
            try Task.checkCancellation()
            guard let (session, capacity) = sessions[decision.workerId],
                let a = try await store.assign(
                    job: decision.jobId, to: decision.workerId, session: session, capacity: capacity)
            else { continue }
            // Bound to the connection the assignment was made for: if that one is gone, the job
            // is taken back at once (the worker never got it).
            let sent = await hub.send(.assign(a), to: decision.workerId, session: session)
            if !sent { try await store.unassign(job: a.jobId, epoch: a.epoch, worker: decision.workerId) }
            logger.info(
                "assigned",
                metadata: [
                    "job": "\(a.jobId)", "worker": "\(decision.workerId)", "epoch": "\(a.epoch)", "sent": "\(sent)",
                ])
        }
    }
}
