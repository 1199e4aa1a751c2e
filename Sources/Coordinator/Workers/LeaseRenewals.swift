import Foundation

/// Heartbeats of every connection, written together: a renewal that arrives while
/// ``maxInFlight`` statements are being written waits for the next one, which takes every worker
/// that asked meanwhile. At a few heartbeats a second each goes alone, as before; at a thousand a
/// second they share transactions instead of costing one commit each (PostgreSQL spent 89% of a
/// core committing 840 heartbeats a second one by one).
///
/// Failure stays each connection's own, as when every heartbeat was its own statement: a shared
/// statement that fails is written again worker by worker, so only a worker whose own renewal
/// fails hears of it (one error no longer closes every connection at once, which after a
/// PostgreSQL restart, with the pool's connections failing one after another, would close them
/// all again and again). A statement that hangs holds one of the ``maxInFlight`` slots, not every
/// renewal behind it.
actor LeaseRenewals {
    private let write: @Sendable ([String]) async throws -> Void
    private let maxInFlight: Int
    private var waiting: [String: [CheckedContinuation<Void, any Error>]] = [:]
    private var inFlight = 0
    /// Shared statements written so far, and those that failed and were written again one by one.
    private(set) var writes = 0
    private(set) var splits = 0

    init(maxInFlight: Int = 2, write: @escaping @Sendable ([String]) async throws -> Void) {
        self.maxInFlight = maxInFlight
        self.write = write
    }

    init(store: JobStore) {
        self.init { workers in try await store.heartbeat(workers: workers) }
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
            do {
                try await write(batch.keys.sorted())
                for c in batch.values.joined() { c.resume() }
            } catch {
                if batch.count == 1 {
                    for c in batch.values.joined() { c.resume(throwing: error) }
                    continue
                }
                splits += 1
                await withTaskGroup(of: Void.self) { group in
                    for (worker, waiters) in batch {
                        group.addTask {
                            do {
                                try await self.write([worker])
                                for c in waiters { c.resume() }
                            } catch {
                                for c in waiters { c.resume(throwing: error) }
                            }
                        }
                    }
                }
            }
        }
        inFlight -= 1
    }
}
