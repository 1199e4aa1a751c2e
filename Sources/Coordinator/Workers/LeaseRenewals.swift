import ATSShared
import Foundation
import Logging

/// Heartbeats of every connection, written together: a renewal that arrives while
/// ``maxInFlight`` statements are being written waits for the next one, which takes every worker
/// that asked meanwhile. At a few heartbeats a second each goes alone, as before; at a thousand a
/// second they share transactions instead of costing one commit each (PostgreSQL spent 89% of a
/// core committing 840 heartbeats a second one by one).
///
/// Failure stays each connection's own, as when every heartbeat was its own statement: a shared
/// statement that fails is written again worker by worker, so only a worker whose own renewal
/// fails hears of it. A statement that has not returned after ``timeout`` is cancelled and left
/// behind, and its workers go into the next statement: after a PostgreSQL restart a statement
/// caught in flight was seen never to return (a connection's own heartbeat is cancelled when its
/// connection closes; a statement shared by every connection is not), and every renewal waited
/// behind it while the jobs fenced themselves over and over.
actor LeaseRenewals {
    private let write: @Sendable ([String]) async throws -> Void
    private let maxInFlight: Int
    private let timeout: Duration
    private let logger: Logger?
    private var waiting: [String: [CheckedContinuation<Void, any Error>]] = [:]
    private var inFlight = 0
    /// Shared statements written so far; those that failed and were written again one by one;
    /// those left behind after ``timeout``.
    private(set) var writes = 0
    private(set) var splits = 0
    private(set) var abandoned = 0

    init(
        maxInFlight: Int = 2, timeout: Duration = .seconds(2), logger: Logger? = nil,
        write: @escaping @Sendable ([String]) async throws -> Void
    ) {
        self.maxInFlight = maxInFlight
        self.timeout = timeout
        self.logger = logger
        self.write = write
    }

    init(store: JobStore, timeout: Duration, logger: Logger) {
        self.init(timeout: timeout, logger: logger) { workers in try await store.heartbeat(workers: workers) }
    }

    /// Renews `worker`'s leases; returns once they are written (or throws why not).
    func renew(_ worker: String) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            waiting[worker, default: []].append(c)
            if inFlight < maxInFlight {
                inFlight += 1
                Task { await self.drain() }
            }
        }
    }

    /// Writes what waits, again and again until nothing does.
    private func drain() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = [:]
            writes += 1
            switch await attempt(batch.keys.sorted()) {
            case nil:
                // Left behind: its workers are written with the next statement.
                abandoned += 1
                logger?.warning(
                    "a lease renewal did not return in time: left behind, its workers go into the next",
                    metadata: ["workers": "\(batch.count)", "timeout": "\(timeout)"])
                for (worker, waiters) in batch { waiting[worker, default: []] += waiters }
            case .success?:
                for c in batch.values.joined() { c.resume() }
            case .failure(let error)? where batch.count == 1:
                for c in batch.values.joined() { c.resume(throwing: error) }
            case .failure?:
                splits += 1
                await withTaskGroup(of: Void.self) { group in
                    for (worker, waiters) in batch {
                        group.addTask {
                            let result = await self.attempt([worker])
                            for c in waiters {
                                switch result {
                                case .success?: c.resume()
                                case .failure(let error)?: c.resume(throwing: error)
                                case nil: c.resume(throwing: RenewalTimedOut())
                                }
                            }
                        }
                    }
                }
            }
        }
        inFlight -= 1
    }

    /// One statement, given ``timeout``: its outcome, or nil when it did not return in time (it
    /// is cancelled, and whatever it does later is ignored).
    private nonisolated func attempt(_ workers: [String]) async -> Result<Void, any Error>? {
        let write = self.write
        let task = Task { try await write(workers) }
        let answered = Locked(false)
        return await withCheckedContinuation { (c: CheckedContinuation<Result<Void, any Error>?, Never>) in
            let timer = Task {
                try? await Task.sleep(for: timeout)
                guard
                    answered.withLock({ done in
                        defer { done = true }; return !done
                    })
                else { return }
                task.cancel()
                c.resume(returning: nil)
            }
            Task {
                let result = await task.result
                guard
                    answered.withLock({ done in
                        defer { done = true }; return !done
                    })
                else { return }
                timer.cancel()
                c.resume(returning: result)
            }
        }
    }
}

/// A heartbeat's own statement did not return in time either.
struct RenewalTimedOut: Error, CustomStringConvertible {
    var description: String { "the lease renewal did not return in time" }
}
