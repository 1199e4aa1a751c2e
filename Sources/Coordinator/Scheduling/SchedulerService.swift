import ATSShared
import Foundation
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
    /// Opens a live job's credential for its assignment (nil: no master key; live jobs then fail
    /// on their worker, saying why).
    let vault: CredentialVault?
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// The Bayesian sweeps' asker: woken with the passes, run beside them (asking a batch can take
    /// a while and must never hold up scheduling).
    private let askWakeups: AsyncStream<Void>
    private let askWake: AsyncStream<Void>.Continuation
    /// Stop and reload requests already sent (shared by overlapping passes).
    private let memo = Locked(RequestMemo())
    /// Why the pending jobs no connected worker can run wait, by job and by sweep (of the last
    /// pass's oldest pending jobs): what the API shows beside them.
    private let waiting = Locked((jobs: [Int64: String](), sweeps: [Int64: String]()))

    /// Why a pending job waits, when no connected worker can run it (nil: it waits its turn).
    public func waitingReason(job: Int64) -> String? { waiting.withLock { $0.jobs[job] } }

    /// Why a sweep's pending chunks wait, when no connected worker can run them.
    public func waitingReason(sweep: Int64) -> String? { waiting.withLock { $0.sweeps[sweep] } }

    init(
        store: JobStore, hub: WorkerHub, logger: Logger, interval: Duration = .milliseconds(500),
        vault: CredentialVault? = nil
    ) {
        self.store = store
        self.hub = hub
        self.logger = logger
        self.interval = interval
        self.vault = vault
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (askWakeups, askWake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a scheduling pass soon (and for the Bayesian sweeps' next batches).
    public func trigger() {
        wake.yield()
        askWake.yield()
    }

    /// Forgets the stop and reload requests sent to a worker (it reconnected; they are sent again
    /// if still due: a reload sent while the worker was away is not lost).
    func forgetRequests(of worker: String) {
        memo.withLock { $0.forget(worker: worker) }
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
                        self.askWake.yield()
                    }
                }
                group.addTask {
                    for await _ in self.askWakeups {
                        // Only the leader asks; a batch stored is scheduled at once.
                        guard self.store.leadership.term != nil else { continue }
                        do {
                            if try await self.store.askSweepBatches() > 0 { wake.yield() }
                        } catch {
                            self.logger.error("asking the sweeps' next batches failed", metadata: ["error": "\(error)"])
                        }
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

    /// One scheduling pass (``SchedulingPass``); only the leader schedules.
    func pass() async throws {
        guard let term = store.leadership.term else { return }
        var pass = SchedulingPass(term: term)
        var action = memo.withLock { pass.start(memo: &$0) }
        while true {
            let event: SchedulingPass.Event
            switch action {
            case .reap:
                let expired = try await store.reapExpiredLeases(sparing: await hub.connectedIds)
                if !expired.isEmpty {
                    store.metrics.leasesExpired.increment(by: expired.count)
                    logger.info("leases expired", metadata: ["jobs": "\(expired)"])
                }
                event = .reaped(expired)
            case .readStopRequests:
                let due = try await store.stopAndHaltRequests()
                event = .stopRequests(due.stops.map { (lease: $0.0, worker: $0.1) }, halts: due.halts)
            case .readReloadRequests:
                event = .reloadRequests(try await store.reloadRequests())
            case .readPendingJobs:
                let pending = try await store.pendingJobs()
                let open = pending.isEmpty ? [] : await hub.slots(held: try await store.heldCounts())
                let reasons = Scheduler.waitingReasons(pending: pending, workers: open.map(\.slot))
                var sweeps: [Int64: String] = [:]
                for job in pending {
                    if let sweep = job.sweep, sweeps[sweep] == nil { sweeps[sweep] = reasons[job.id] }
                }
                waiting.withLock { $0 = (reasons, sweeps) }
                event = .pending(pending, open: open)
            case .send(let message, let worker, let session):
                let outgoing = try await withCredential(await readable(message, by: worker), worker: worker)
                event = .sent(await hub.send(outgoing, to: worker, session: session))
                if case .assign(let a) = message {
                    logger.info(
                        "assigned",
                        metadata: [
                            "job": "\(a.jobId)", "worker": "\(worker)", "epoch": "\(a.epoch)",
                            "sent": "\(event.wasSent)",
                        ])
                }
            case .assign(let job, let worker, let session, let capacity, let ahead):
                // A pass cancelled past its deadline assigns nothing more (a newer one has started).
                try Task.checkCancellation()
                event = .assigned(
                    try await store.assign(job: job, to: worker, session: session, capacity: capacity, ahead: ahead))
            case .unassign(let job, let epoch, let worker):
                try await store.unassign(job: job, epoch: epoch, worker: worker)
                event = .unassigned
            case .done:
                return
            }
            action = memo.withLock { pass.handle(event, memo: &$0) }
        }
    }
}

extension SchedulerService {
    /// An assignment whose checkpoint state is compressed, inflated for a worker that does not
    /// announce it reads that form (an earlier release, during a rolling upgrade); any other
    /// message as it is. State that does not inflate goes as it is: no worker could resume from
    /// it, and the worker fails the job.
    func readable(_ message: WireMessage, by worker: String) async -> WireMessage {
        guard case .assign(var a) = message, CheckpointCompression.isCompressed(a.checkpoint),
            await !hub.has(worker, capability: WorkerCapability.compressedCheckpoints)
        else { return message }
        do {
            a.checkpoint = try CheckpointCompression.inflate(a.checkpoint)
        } catch {
            logger.warning(
                "a checkpoint's state does not inflate", metadata: ["job": "\(a.jobId)", "error": "\(error)"])
        }
        return .assign(a)
    }

    /// A live job's assignment with its venue credential opened from the vault (for this message
    /// only: it is never stored in the clear); any other message as it is.
    func withCredential(_ message: WireMessage, worker: String) async throws -> WireMessage {
        // A sweep's chunk is a backtest: its spec is not decoded again for this.
        guard case .assign(var a) = message, !a.sweepChunk, let spec = try? JobSpec.decode(json: Data(a.spec)),
            spec.mode == .live, let name = spec.credentials
        else { return message }
        // Never over plain TCP from another machine: the job fails on its worker, saying why.
        guard await hub.isSecure(worker) else {
            logger.warning(
                "a live job's credential withheld: the worker's connection is neither TLS nor local",
                metadata: ["job": "\(a.jobId)", "worker": "\(worker)"])
            return message
        }
        guard let vault, let sealed = try await store.sealedCredential(name) else {
            logger.warning(
                "a live job's credential cannot be opened", metadata: ["job": "\(a.jobId)", "credential": "\(name)"])
            return message
        }
        let secret = try vault.open(sealed.sealed, name: name)
        a.venueCredential = VenueCredential(
            name: name, keyType: sealed.keyType, apiKey: secret.apiKey, secret: secret.secret
        )
        .encoded()
        return .assign(a)
    }
}

extension SchedulingPass.Event {
    var wasSent: Bool {
        if case .sent(let ok) = self { ok } else { false }
    }
}
