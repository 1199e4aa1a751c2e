import ATSEngine
import ATSShared
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import ATSCoordinator

/// What the coordinator asks often, against a real PostgreSQL with a table of several thousand
/// jobs: each statement reads what it must and no more. The figures are in docs/BENCHMARKS.md,
/// "The list's count and the scheduler's polls".
@Suite(.serialized)
struct QueryPlanTests {
    static let workers = 20

    /// A store holding `scripts/scale.sh`'s paper job (its definition as stored, defaults filled
    /// in: rows as wide as a real table's) and 3,000 more running on twenty workers whose leases
    /// are live, each assigned at its first revision (half of those never marked in effect, as a
    /// sweep chunk's are not); vacuumed, so its pages are marked all visible.
    static func withRunningJobs(_ body: @Sendable (JobStore) async throws -> Void) async throws {
        try await JobStoreTests().withStore { store in
            let json = """
                {"name": "scale-0", "mode": "paper", "paper_pace_ms": 1000, "labels": ["scale"],
                 "data": {"path": "bars.csv"},
                 "exchange": {"namespace": "exchanges:simulated", "symbol": {"base": "BTC", "quote": "USDT"}},
                 "fees": {"namespace": "fees:generic", "config": {"taker": 0.001}},
                 "strategy": {"namespace": "strategies:sma_cross", "config": {"fast": 5, "slow": 30}},
                 "portfolio": {"cash": 10000}}
                """
            let spec = try JSONCoding.decoder().decode(JobSpec.self, from: Data(json.utf8)).normalized(with: .standard)
            let first = try await store.create(spec, actor: "test")
            for w in 0..<workers {
                _ = try await store.connect(JobStoreTests().hello("w\(w)"), session: "s\(w)")
            }
            try await store.heartbeat(workers: (0..<workers).map { "w\($0)" })
            // Flushed to disk by the vacuum below (the tests' PostgreSQL commits asynchronously).
            try await store.client.query(
                """
                INSERT INTO jobs (
                    name, mode, spec, labels, created_by, status, epoch, lease_owner, lease_expires_at,
                    assigned_revision)
                SELECT 'bulk-' || g, mode, spec, labels, created_by, 'running', 1, 'w' || (g % \(workers)),
                    now() + interval '1 minute', 1
                FROM jobs, generate_series(1, 3000) g WHERE id = \(first.id)
                """)
            try await store.client.query(
                """
                INSERT INTO job_revisions (job_id, revision, strategy_config, effective_bar, effective_epoch)
                SELECT id, 1, '{}', CASE WHEN id % 2 = 0 THEN 0 END, 1 FROM jobs WHERE name LIKE 'bulk-%'
                """)
            try await Self.vacuumUntilAllVisible(store.client)
            try await body(store)
        }
    }

    /// The count every page asks for reads the `jobs_listed` index alone, without the table, once
    /// the table's pages are marked all visible, filtered by status or not (a label or a name
    /// search reads the rows); and the jobs table is vacuumed (which marks them) after a hundred
    /// or so changes rather than a fifth of its rows.
    /// At 10,000 running jobs the count read the whole table instead, 9.5 ms of a core per list.
    @Test func theListsCountReadsTheIndexAloneAndTheTableIsVacuumedSoon() async throws {
        try await Self.withRunningJobs { store in
            let queries = [
                JobQuery(), JobQuery(status: .pending), JobQuery(sort: .equity, descending: true),
                JobQuery(status: .running, sort: .name),
            ]
            for q in queries {
                let plan = try await Self.plan(of: JobStore.listStatements(q).count, on: store.client)
                #expect(plan.contains("Index Only Scan") && !plan.contains("Seq Scan"), "\(q): \(plan)")
                #expect(plan.contains("Heap Fetches: 0"), "\(plan)")
            }
            #expect(try await store.jobs(JobQuery(limit: 5)).total == 3_001)

            let options = try await store.client.query(
                "SELECT unnest(reloptions) FROM pg_class WHERE relname = 'jobs' ORDER BY 1"
            ).collect().map { try $0.decode(String.self) }
            #expect(
                options == [
                    "autovacuum_vacuum_insert_scale_factor=0.01", "autovacuum_vacuum_insert_threshold=100",
                    "autovacuum_vacuum_scale_factor=0.01", "autovacuum_vacuum_threshold=100",
                ])
        }
    }

    /// Each scheduling pass asks for lapsed leases, stop requests and revisions to send. With
    /// nothing due none of them reads the job rows (at 10,000 jobs they took 36–57 ms of
    /// PostgreSQL's time a pass when they did); when a worker's lease lapses, exactly its jobs are
    /// released, and a job whose own lease is still live, or whose owner has no worker row, is
    /// judged as before.
    @Test func theSchedulersPollsReadNoJobRowWhenNothingIsDue() async throws {
        try await Self.withRunningJobs { store in
            let polls = [
                ("lapsed owners", JobStore.lapsedOwners(sparing: [])), ("stops", JobStore.stopRequestsQuery),
                ("reloads", JobStore.reloadRequestsQuery),
            ]
            let lapsed = try await store.client.query(JobStore.lapsedOwners(sparing: [])).collect()
            #expect(lapsed.isEmpty, "every worker's lease is live")
            for (name, query) in polls {
                let plan = try await Self.plan(of: query, on: store.client)
                #expect(
                    !plan.contains("Seq Scan on jobs") && !plan.contains("Seq Scan on job_revisions"),
                    "\(name): \(plan)")
            }
            #expect(try await store.reapExpiredLeases().isEmpty)
            #expect(try await store.stopAndHaltRequests().stops.isEmpty)
            #expect(try await store.reloadRequests().isEmpty)

            // A revision newer than its job's assignment, and a stop, are found.
            let reloaded = try await store.client.query(
                """
                WITH j AS (UPDATE jobs SET spec_revision = 2 WHERE name = 'bulk-7' RETURNING id)
                INSERT INTO job_revisions (job_id, revision, strategy_config) SELECT id, 2, '{"fast": 6}' FROM j
                RETURNING job_id
                """
            ).collect().map { try $0.decode(Int64.self) }
            #expect(try await store.reloadRequests().map(\.reload.jobId) == reloaded)
            let due = try await Self.plan(of: JobStore.reloadRequestsQuery, on: store.client)
            #expect(!due.contains("Seq Scan"), "one job due reads its revision by key: \(due)")
            let stopped = try await store.client.query(
                "UPDATE jobs SET desired_state = 'stopped' WHERE name = 'bulk-9' RETURNING id"
            ).collect().map { try $0.decode(Int64.self) }
            #expect(try await store.stopAndHaltRequests().stops.map(\.0.jobId) == stopped)

            // Worker w3's lease lapses, and w4 has no worker row any more: their jobs are released
            // (but one of w3's, whose own lease is live), and no one else's.
            try await store.client.query(
                "UPDATE workers SET lease_expires_at = now() - interval '1 second' WHERE id IN ('w3', 'w4')")
            try await store.client.query("DELETE FROM workers WHERE id = 'w4'")
            try await store.client.query(
                "UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE lease_owner IN ('w3', 'w4')")
            let kept = try await store.client.query(
                """
                UPDATE jobs SET lease_expires_at = now() + interval '1 minute'
                WHERE id = (SELECT min(id) FROM jobs WHERE lease_owner = 'w3') RETURNING id
                """
            ).collect().map { try $0.decode(Int64.self) }
            let expected = try await store.client.query(
                "SELECT id FROM jobs WHERE lease_owner IN ('w3', 'w4') AND id <> ALL(\(kept)) ORDER BY id"
            ).collect().map { try $0.decode(Int64.self) }
            #expect(expected.count == 299)
            #expect(try await store.reapExpiredLeases(sparing: ["w3", "w4"]).isEmpty, "connected workers keep theirs")
            #expect(try await store.reapExpiredLeases().sorted() == expected)
            let left = try await store.client.query(
                "SELECT count(*) FROM jobs WHERE status = 'running' AND lease_owner IS NOT NULL"
            ).collect().map { try $0.decode(Int64.self) }
            #expect(left == [3_000 - 299])
        }
    }

    /// Vacuums until every page of `jobs` and `job_revisions` is marked all visible. A vacuum
    /// marks a page only once it may set its rows' commit hints, which waits for the WAL flush of
    /// the latest commit among the 32 transaction ids that share a row's clog LSN group: on the
    /// tests' shared server (asynchronous commits) that can be another test's transaction in
    /// another database, committed after ours and flushed by the WAL writer a moment later. So:
    /// flush, vacuum, look, and again after a pause.
    static func vacuumUntilAllVisible(_ client: PostgresClient) async throws {
        for _ in 0..<50 {
            try await client.withConnection { conn in
                let log = Logger(label: "test")
                _ = try await conn.query("BEGIN", logger: log)
                _ = try await conn.query("SET LOCAL synchronous_commit = on", logger: log)
                _ = try await conn.query("SELECT txid_current()", logger: log)
                _ = try await conn.query("COMMIT", logger: log)
            }
            try await client.query("VACUUM (ANALYZE) jobs, job_revisions, workers")
            let unmarked = try await client.query(
                """
                SELECT count(*) FROM pg_class
                WHERE relname IN ('jobs', 'job_revisions') AND relallvisible < relpages
                """
            ).collect().first?.decode(Int.self)
            if unmarked == 0 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// PostgreSQL's plan of `query` as it ran, one line per node.
    static func plan(of query: PostgresQuery, on client: PostgresClient) async throws -> String {
        let explain = PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, COSTS OFF) " + query.sql, binds: query.binds)
        return try await client.query(explain).collect().map { try $0.decode(String.self) }.joined(separator: "\n")
    }
}
