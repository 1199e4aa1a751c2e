import Foundation

/// Heartbeats of every connection, renewed together: a renewal that arrives while one is being
/// written waits for the next write, which takes every worker that asked meanwhile in one
/// statement. At a few heartbeats a second each goes alone, as before; at a thousand a second
/// they share transactions instead of costing one commit each (PostgreSQL spent 89% of a core
/// committing 840 heartbeats a second one by one).
actor LeaseRenewals {
    private let store: JobStore
    private var waiting: [String: [CheckedContinuation<Void, any Error>]] = [:]
    private var writing = false
    /// Statements written so far (each renews every worker that waited for it).
    private(set) var writes = 0

    init(store: JobStore) { self.store = store }

    /// Renews `worker`'s leases; returns once they are written (or throws why not).
    func renew(_ worker: String) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            waiting[worker, default: []].append(c)
            if !writing {
                writing = true
                Task { await self.write() }
            }
        }
    }

    /// Writes what waits, again and again until nothing does.
    private func write() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = [:]
            do {
                writes += 1
                try await store.heartbeat(workers: batch.keys.sorted())
                for c in batch.values.joined() { c.resume() }
            } catch {
                for c in batch.values.joined() { c.resume(throwing: error) }
            }
        }
        writing = false
    }
}
