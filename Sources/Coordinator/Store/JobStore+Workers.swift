import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// The workers table: registration, drain, disconnection.
extension JobStore {
    /// Records the worker as connected; returns whether an operator has drained it.
    @discardableResult
    public func registerWorker(_ hello: Hello) async throws -> Bool {
        try await transaction { conn in
            let rows = try await conn.query(
                """
                INSERT INTO workers (id, host, capacity, labels, version, connected, last_heartbeat_at)
                VALUES (\(hello.workerId), \(hello.host), \(Int(hello.capacity)), \(hello.labels), \(hello.softwareVersion), true, now())
                ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, capacity = EXCLUDED.capacity, labels = EXCLUDED.labels,
                    version = EXCLUDED.version, connected = true, last_heartbeat_at = now()
                RETURNING draining
                """, logger: logger)
            for try await drained in rows.decode(Bool.self) { return drained }
            return false
        }
    }

    /// An operator drains a worker (it gets no job, and gives back those it runs) or undrains it.
    /// Returns the leases it holds, for the caller to ask it to release them.
    public func setDrained(worker: String, _ drained: Bool, actor: String) async throws -> [JobLease] {
        try await transaction { conn in
            let rows = try await conn.query(
                "UPDATE workers SET draining = \(drained) WHERE id = \(worker) RETURNING 1", logger: logger)
            var found = false
            for try await _ in rows.decode(Int.self) { found = true }
            guard found else { throw StoreError.notFound("no worker \"\(worker)\"") }
            try await recordEvent(
                conn, job: nil, name: "", actor: actor, kind: drained ? "worker_drained" : "worker_undrained",
                detail: worker)
            let leases = try await conn.query(
                """
                SELECT id, epoch FROM jobs WHERE lease_owner = \(worker) AND status IN ('assigned', 'running')
                ORDER BY id
                """, logger: logger)
            var out: [JobLease] = []
            for try await (id, epoch) in leases.decode((Int64, Int64).self) {
                out.append(JobLease(jobId: id, epoch: epoch))
            }
            return out
        }
    }

    /// The worker's connection is gone. Its leases stay until they expire: it may still be
    /// running its jobs (a partition), and it stops them by itself before then (self-fencing);
    /// the reaper then hands them on. A worker that comes back in time keeps them.
    public func workerDisconnected(_ worker: String) async throws {
        try await transaction { conn in
            _ = try await conn.query("UPDATE workers SET connected = false WHERE id = \(worker)", logger: logger)
        }
    }

    public func workers() async throws -> [WorkerRecord] {
        let rows = try await client.query(
            """
            SELECT w.id, w.host, w.capacity, w.labels, w.version, w.connected, w.first_seen_at, w.last_heartbeat_at,
                (SELECT count(*) FROM jobs j WHERE j.lease_owner = w.id AND j.status IN ('assigned', 'running')),
                w.draining
            FROM workers w ORDER BY w.id
            """, logger: logger)
        var out: [WorkerRecord] = []
        for try await t in rows.decode((String, String, Int, [String], String, Bool, Date, Date, Int64, Bool).self) {
            out.append(
                WorkerRecord(
                    id: t.0, host: t.1, capacity: t.2, labels: t.3, version: t.4, connected: t.5, runningJobs: Int(t.8),
                    firstSeenAt: t.6, lastHeartbeatAt: t.7, draining: t.9))
        }
        return out
    }
}
