import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// The workers table: registration, drain, disconnection.
extension JobStore {
    /// What a worker's hello changed: whether an operator drained it, the jobs it runs but no
    /// longer owns (to stop), and the leases it no longer holds (released).
    public struct Connection: Sendable, Equatable {
        public var drained: Bool
        public var stops: [JobLease]
        public var released: [Int64]

        public init(drained: Bool = false, stops: [JobLease] = [], released: [Int64] = []) {
            self.drained = drained
            self.stops = stops
            self.released = released
        }
    }

    /// Registers a worker's connection and reconciles its leases with what it says it runs, in one
    /// transaction: the leases it holds and runs are renewed (its lease guard counts them from the
    /// hello); those it does not run, or whose lease has expired, go back (an expired lease may
    /// already be on its way to another worker: such a job is stopped, not renewed); jobs it runs
    /// under an epoch it no longer owns are to be stopped.
    ///
    /// The worker row's new `session_id` is what assignments check (``assign(job:to:session:capacity:)``
    /// locks the row), so every assignment is either committed before this reconciliation, which
    /// then sees it, or refused; the job rows are locked too, so the reaper cannot release a lease
    /// between the read and the renewal.
    ///
    /// `order` ranks the worker's connections (leadership term, then connection number): a
    /// registration older than the one stored is refused (`StoreError.conflict`), so a hello
    /// whose transaction commits late cannot take the row back to a connection that is gone.
    public func connect(_ hello: Hello, session: String, order: Int64 = 0) async throws -> Connection {
        let running = hello.running
        return try await transaction { conn in
            // The worker's job rows first (id order), then its row.
            try await conn.query(
                """
                SELECT id FROM jobs WHERE lease_owner = \(hello.workerId) AND status IN ('assigned', 'running')
                ORDER BY id FOR UPDATE
                """, logger: logger)
            let rows = try await conn.query(
                """
                INSERT INTO workers (id, host, capacity, labels, version, connected, last_heartbeat_at, session_id,
                    session_order)
                VALUES (\(hello.workerId), \(hello.host), \(Int(hello.capacity)), \(hello.labels), \(hello.softwareVersion),
                    true, now(), \(session), \(order))
                ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, capacity = EXCLUDED.capacity, labels = EXCLUDED.labels,
                    version = EXCLUDED.version, connected = true, last_heartbeat_at = now(), session_id = EXCLUDED.session_id,
                    session_order = EXCLUDED.session_order
                WHERE workers.session_order <= EXCLUDED.session_order
                RETURNING draining
                """, logger: logger)
            var drained: Bool?
            for try await d in rows.decode(Bool.self) { drained = d }
            guard let drained else {
                throw StoreError.conflict(
                    "a newer connection of worker \(hello.workerId) registered first: this one is superseded")
            }
            let owned = try await conn.query(
                """
                SELECT id, epoch, \(unescaped: Self.leaseExpiry) > now() FROM jobs
                WHERE lease_owner = \(hello.workerId) AND status IN ('assigned', 'running') ORDER BY id FOR UPDATE
                """, logger: logger)
            var live = Set<JobLease>()
            var lapsed: [Int64] = []
            for try await (id, epoch, valid) in owned.decode((Int64, Int64, Bool).self) {
                if valid { live.insert(JobLease(jobId: id, epoch: epoch)) } else { lapsed.append(id) }
            }
            let runs = Set(running)
            let keep = live.intersection(runs)
            let release = lapsed + live.subtracting(runs).map(\.jobId)
            try await conn.query(
                """
                UPDATE jobs SET lease_expires_at = now() + make_interval(secs => \(leaseSeconds))
                WHERE id = ANY(\(keep.map(\.jobId))) AND lease_owner = \(hello.workerId)
                """, logger: logger)
            var released: [Int64] = []
            if !release.isEmpty {
                released = try await self.release(
                    conn, where: "lease_owner = $1 AND id = ANY($2)", hello.workerId, kind: "lease_released",
                    ids: release)
                // The worker came back without these runs (restarted, or past their leases): it was
                // lost to them, as if its lease had run out.
                try await applyLossPolicies(to: released, on: conn)
            }
            let stops = runs.subtracting(keep).sorted { $0.jobId < $1.jobId }
            return Connection(drained: drained, stops: stops, released: released.sorted())
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

    /// The worker's connection (`session`) is gone. Its leases stay until they expire: it may
    /// still be running its jobs (a partition), and it stops them by itself before then
    /// (self-fencing); the reaper then hands them on. A worker that comes back in time keeps them.
    /// Only that session is marked: a newer connection registered meanwhile stays connected (an
    /// unconditional update here left a reconnected worker unassignable; the simulation found it).
    public func workerDisconnected(_ worker: String, session: String) async throws {
        try await transaction { conn in
            _ = try await conn.query(
                "UPDATE workers SET connected = false WHERE id = \(worker) AND session_id = \(session)", logger: logger)
        }
    }

    public func workers() async throws -> [WorkerRecord] {
        let rows = try await client.query(
            """
            SELECT w.id, w.host, w.capacity, w.labels, w.version, w.connected, w.first_seen_at, w.last_heartbeat_at,
                held.running, w.draining, held.assigned
            FROM workers w CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE j.status = 'running') AS running,
                    count(*) FILTER (WHERE j.status = 'assigned') AS assigned
                FROM jobs j WHERE j.lease_owner = w.id AND j.status IN ('assigned', 'running')) held
            ORDER BY w.id
            """, logger: logger)
        var out: [WorkerRecord] = []
        typealias Row = (String, String, Int, [String], String, Bool, Date, Date, Int64, Bool, Int64)
        for try await t in rows.decode(Row.self) {
            out.append(
                WorkerRecord(
                    id: t.0, host: t.1, capacity: t.2, labels: t.3, version: t.4, connected: t.5, runningJobs: Int(t.8),
                    firstSeenAt: t.6, lastHeartbeatAt: t.7, draining: t.9, assignedJobs: Int(t.10)))
        }
        return out
    }
}
