import ATSShared
import Foundation
import Logging

/// Heartbeats of every connection, written together: a renewal that arrives while
/// ``maxInFlight`` statements are being written waits for the next one, which takes every worker
/// that asked meanwhile. At a few heartbeats a second each goes alone, as before; at a thousand a
/// second they share transactions instead of costing one commit each (PostgreSQL spent 89% of a
/// core committing 840 heartbeats a second one by one).
///
/// A renewal is answered (its caller returns, and the heartbeat is echoed) only once a statement
/// that renewed its worker has committed, whichever statement that is. Failure stays each
/// connection's own, as when every heartbeat was its own statement: a shared statement that fails
/// is written again worker by worker, a few at a time, so only a worker whose own renewal fails
/// hears of it. A statement not returned after ``timeout`` is not waited for any more: its
/// workers go into the next statement too (a hedge), and whichever commits first answers them;
/// after three timeouts it is cancelled and its slot freed whether it returns or not. After a
/// PostgreSQL restart, statements caught in flight were seen never to return (a connection's own
/// heartbeat is cancelled when its connection closes; a statement shared by every connection is
/// not), and every renewal waited behind them while the jobs fenced themselves over and over. At
/// most ``maxRunning`` statements run at once, hedged ones included.
actor LeaseRenewals {
    private let write: @Sendable ([String]) async throws -> Void
    private let maxInFlight: Int
    private let maxRunning: Int
    private let timeout: Duration
    private let logger: Logger?
    /// Every renewal not answered yet, by id: the one place a continuation is resumed from.
    private var pending: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    /// Renewals waiting for the next statement, by worker.
    private var waiting: [String: [UInt64]] = [:]
    private var nextId: UInt64 = 0
    private var inFlight = 0
    /// Statements holding a slot, and those past their timeout.
    private var holding: Set<UInt64> = []
    private var late: Set<UInt64> = []
    private var slotFreed: [CheckedContinuation<Void, Never>] = []
    /// Statements written so far; shared ones that failed and were written again one by one; ones
    /// not returned in time.
    private(set) var writes = 0
    private(set) var splits = 0
    private(set) var hedged = 0

    init(
        maxInFlight: Int = 2, maxRunning: Int = 6, timeout: Duration = .seconds(2), logger: Logger? = nil,
        write: @escaping @Sendable ([String]) async throws -> Void
    ) {
        self.maxInFlight = maxInFlight
        self.maxRunning = max(maxRunning, maxInFlight)
        self.timeout = timeout
        self.logger = logger
        self.write = write
    }

    init(store: JobStore, timeout: Duration, logger: Logger) {
        self.init(timeout: timeout, logger: logger) { workers in try await store.heartbeat(workers: workers) }
    }

    /// Renewals not answered yet.
    var unanswered: Int { pending.count }

    /// Renews `worker`'s leases; returns once a statement that renewed them has committed (or
    /// throws why not). A cancelled caller stops waiting at once.
    func renew(_ worker: String) async throws {
        nextId += 1
        let id = nextId
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                guard !Task.isCancelled else {
                    c.resume(throwing: CancellationError())
                    return
                }
                pending[id] = c
                waiting[worker, default: []].append(id)
                if inFlight < maxInFlight {
                    inFlight += 1
                    Task { await self.drain() }
                }
            }
        } onCancel: {
            Task { await self.answer([id], with: .failure(CancellationError())) }
        }
    }

    /// Writes what waits, again and again until nothing does.
    private func drain() async {
        while !waiting.isEmpty {
            await takeSlot()
            // Only those still unanswered (a late statement may have committed meanwhile).
            let batch = waiting.mapValues { $0.filter { pending[$0] != nil } }.filter { !$0.value.isEmpty }
            waiting = [:]
            guard !batch.isEmpty else {
                giveBackSlot()
                continue
            }
            guard await statement(batch, failOnError: batch.count == 1) == .failed, batch.count > 1 else { continue }
            // Written again worker by worker, a few at a time: only a worker whose own renewal
            // fails hears of it.
            splits += 1
            var rest = Array(batch)
            while !rest.isEmpty {
                let some = rest.prefix(maxInFlight)
                rest.removeFirst(some.count)
                var slots = 0
                while slots < some.count {
                    await takeSlot()
                    slots += 1
                }
                await withTaskGroup(of: Void.self) { group in
                    for (worker, ids) in some {
                        group.addTask { _ = await self.statement([worker: ids], failOnError: true) }
                    }
                }
            }
        }
        inFlight -= 1
    }

    private enum Outcome { case committed, failed, late }

    /// One statement for `batch` (renewal ids by worker), in a slot the caller took. Committed:
    /// answers every renewal still pending. Failed: answers them with the error when
    /// `failOnError` (and it was not late), else leaves them to the caller. Not returned within
    /// ``timeout``: puts them back for the next statement and returns, while this one runs on and
    /// still answers them if it commits first.
    private func statement(_ batch: [String: [UInt64]], failOnError: Bool) async -> Outcome {
        writes += 1
        let sid = UInt64(writes)
        reserved -= 1
        holding.insert(sid)
        let workers = batch.keys.sorted()
        let ids = Array(batch.values.joined())
        let write = self.write
        let timeout = self.timeout
        let done = Task { () -> Result<Void, any Error> in
            let result: Result<Void, any Error>
            do {
                try await write(workers)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            self.finished(sid, ids, result, failOnError: failOnError)
            return result
        }
        // Given up after three timeouts: cancelled, and its slot freed whether it returns or not.
        let giveUp = Task {
            try await Task.sleep(for: timeout * 3)
            done.cancel()
            self.giveBackSlot(sid)
        }
        let claimed = Locked(false)
        let claim: @Sendable () -> Bool = {
            claimed.withLock { taken in
                defer { taken = true }
                return !taken
            }
        }
        let first = await withCheckedContinuation { (c: CheckedContinuation<Result<Void, any Error>?, Never>) in
            let timer = Task {
                try await Task.sleep(for: timeout)
                if claim() { c.resume(returning: nil) }
            }
            Task {
                let result = await done.value
                giveUp.cancel()
                timer.cancel()
                if claim() { c.resume(returning: result) }
            }
        }
        switch first {
        case .success?: return .committed
        case .failure?: return .failed
        case nil:
            hedged += 1
            late.insert(sid)
            logger?.warning(
                "a lease renewal did not return in time: its workers go into the next statement too",
                metadata: ["workers": "\(workers.count)", "timeout": "\(timeout)"])
            for (worker, ids) in batch {
                let still = ids.filter { pending[$0] != nil }
                if !still.isEmpty { waiting[worker, default: []] += still }
            }
            return .late
        }
    }

    /// Statement `sid` for renewals `ids` returned: a commit answers every one still pending; a
    /// failure answers them only for a worker written alone that was not late (a late one's
    /// renewals are in a newer statement already).
    private func finished(_ sid: UInt64, _ ids: [UInt64], _ result: Result<Void, any Error>, failOnError: Bool) {
        giveBackSlot(sid)
        let wasLate = late.remove(sid) != nil
        switch result {
        case .success: answer(ids, with: result)
        case .failure where failOnError && !wasLate: answer(ids, with: result)
        case .failure: break
        }
    }

    private func answer(_ ids: [UInt64], with result: Result<Void, any Error>) {
        for id in ids { pending.removeValue(forKey: id)?.resume(with: result) }
    }

    /// Waits for a free statement slot and takes it (before the statement has an id).
    private func takeSlot() async {
        while holding.count + reserved >= maxRunning { await withCheckedContinuation { slotFreed.append($0) } }
        reserved += 1
    }

    /// Slots taken for statements not started yet.
    private var reserved = 0

    /// A reserved slot not used after all.
    private func giveBackSlot() {
        reserved -= 1
        wakeOne()
    }

    /// Statement `sid` no longer holds its slot (returned, or given up on).
    private func giveBackSlot(_ sid: UInt64) {
        guard holding.remove(sid) != nil else { return }
        wakeOne()
    }

    private func wakeOne() {
        if !slotFreed.isEmpty { slotFreed.removeFirst().resume() }
    }
}
