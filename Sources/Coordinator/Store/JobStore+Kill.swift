import ATSShared
import Foundation
import PostgresNIO

/// The kill switch (issue 17, docs/LIVE.md "Kill switch"): a live job, or every live job, held.
/// From the commit on, the coordinator stores no intent for a held job but a flatten's
/// (``writeIntent(_:worker:on:)``), and the job's run is told to cancel the job's open orders,
/// flatten when asked, and stop; a job not running is started for that, so its orders are
/// cancelled whoever placed them. Persisted: a restarted coordinator or worker keeps the job held
/// until an operator releases it.
extension JobStore {
    /// The global switch, if thrown.
    public struct ClusterHalt: Sendable, Codable, Equatable {
        public var reason: String
        public var flatten: Bool
        public var at: Date
    }

    /// Holds one live job.
    public func kill(job ref: String, flatten: Bool, actor: String) async throws -> JobRecord {
        let current = try await job(ref)
        guard current.mode == JobMode.live.rawValue else {
            throw StoreError.conflict("the kill switch is for live jobs; stop this \(current.mode) job instead")
        }
        try await transaction { conn in
            try await hold(conn, where: "id = \(current.id)", reason: "killed by \(actor)", flatten: flatten)
            try await recordEvent(
                conn, job: current.id, name: current.name, actor: actor, kind: "killed",
                detail: flatten ? "cancel open orders, flatten, stop" : "cancel open orders, stop")
        }
        return try await job(ref)
    }

    /// Holds every live job, and any created while the switch is thrown.
    public func killAll(flatten: Bool, actor: String) async throws -> Int {
        try await transaction { conn in
            let reason = "global kill by \(actor)"
            try await conn.query(
                """
                INSERT INTO cluster_halt (id, reason, flatten) VALUES (1, \(reason), \(flatten))
                ON CONFLICT (id) DO UPDATE SET reason = EXCLUDED.reason, flatten = EXCLUDED.flatten, at = now()
                """, logger: logger)
            let held = try await hold(
                conn, where: "mode = 'live' AND halt_reason IS NULL", reason: reason, flatten: flatten)
            try await recordEvent(
                conn, job: nil, name: "", actor: actor, kind: "killed_all",
                detail: "\(held) live jobs held\(flatten ? ", flattened" : "")")
            return held
        }
    }

    /// Lets one job trade again once started: a job started only to carry out the kill and not
    /// assigned yet goes back to stopped (a release never starts a job).
    public func releaseKill(job ref: String, actor: String) async throws -> JobRecord {
        let current = try await job(ref)
        guard current.spec?.sweep == nil else {
            throw StoreError.conflict("\(current.name) is a chunk of a sweep: the kill switch is for live jobs")
        }
        try await transaction { conn in
            try await conn.query(
                """
                UPDATE jobs SET halt_reason = NULL, halt_flatten = false, halt_done = false, updated_at = now(),
                    \(unescaped: Self.unstartPending)
                WHERE id = \(current.id)
                """, logger: logger)
            try await recordEvent(
                conn, job: current.id, name: current.name, actor: actor, kind: "kill_released", detail: "")
        }
        return try await job(ref)
    }

    /// Releases the global switch and the jobs it held (jobs killed one by one stay held).
    public func releaseAll(actor: String) async throws {
        try await transaction { conn in
            try await conn.query("DELETE FROM cluster_halt", logger: logger)
            try await conn.query(
                "SELECT id FROM jobs WHERE halt_reason LIKE 'global kill by %' ORDER BY id FOR UPDATE", logger: logger)
            try await conn.query(
                """
                UPDATE jobs SET halt_reason = NULL, halt_flatten = false, halt_done = false, updated_at = now(),
                    \(unescaped: Self.unstartPending)
                WHERE halt_reason LIKE 'global kill by %'
                """, logger: logger)
            try await recordEvent(conn, job: nil, name: "", actor: actor, kind: "kill_released_all", detail: "")
        }
    }

    public func clusterHalt() async throws -> ClusterHalt? {
        let rows = try await client.query("SELECT reason, flatten, at FROM cluster_halt", logger: logger)
        for try await (reason, flatten, at) in rows.decode((String, Bool, Date).self) {
            return ClusterHalt(reason: reason, flatten: flatten, at: at)
        }
        return nil
    }

    /// A released job that waits to be assigned only to carry out its kill stays stopped.
    static let unstartPending = """
        desired_state = CASE WHEN status = 'pending' THEN 'stopped' ELSE desired_state END,
        finished_at = CASE WHEN status = 'pending' THEN now() ELSE finished_at END,
        status = CASE WHEN status = 'pending' THEN 'stopped' ELSE status END
        """

    /// Marks the jobs held: a running one is asked to stop (the scheduler's stop carries the
    /// halt), a stopped or failed one is started again to cancel its orders; returns how many.
    @discardableResult
    private func hold(_ conn: PostgresConnection, where condition: String, reason: String, flatten: Bool)
        async throws -> Int
    {
        // Rows in id order first, as every transaction that changes several does: no deadlock
        // with a heartbeat renewing a worker's leases.
        try await conn.query(
            "SELECT id FROM jobs WHERE \(unescaped: condition) ORDER BY id FOR UPDATE", logger: logger)
        let rows = try await conn.query(
            """
            UPDATE jobs SET halt_reason = \(reason), halt_flatten = \(flatten), halt_done = false, updated_at = now(),
                desired_state = CASE WHEN status IN ('assigned', 'running') THEN 'stopped' ELSE 'running' END,
                status = CASE WHEN status IN ('stopped', 'failed') THEN 'pending' ELSE status END,
                finished_at = CASE WHEN status IN ('stopped', 'failed') THEN NULL ELSE finished_at END
            WHERE \(unescaped: condition) AND status <> 'completed'
            RETURNING id
            """, logger: logger)
        var n = 0
        for try await _ in rows.decode(Int64.self) { n += 1 }
        return n
    }
}
