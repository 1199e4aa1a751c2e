import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// Leases and assignment: what the scheduler and the worker server change.
extension JobStore {
    /// When a job's lease runs out, as SQL over a `jobs` row: the later of what its assignment (or
    /// its worker's reconnection) granted and its worker's last renewal. A heartbeat renews the
    /// worker's row, never its jobs' rows: renewing costs one row however many jobs the worker
    /// runs (issue 18; it used to rewrite every job row each second).
    static let leaseExpiry =
        "GREATEST(lease_expires_at, (SELECT w.lease_expires_at FROM workers w WHERE w.id = lease_owner))"

    /// Renews every lease the worker holds: one row, the worker's (``leaseExpiry``).
    public func heartbeat(worker: String) async throws {
        try await heartbeat(workers: [worker])
    }

    /// Renews the leases of several workers in one statement (``LeaseRenewals`` gathers them),
    /// locking their rows in id order. Never shortens one: a statement that commits late (hedged
    /// by a newer one) leaves the later expiry.
    public func heartbeat(workers: [String]) async throws {
        try await transaction { conn in
            _ = try await conn.query(
                """
                UPDATE workers SET last_heartbeat_at = now(),
                    lease_expires_at = GREATEST(lease_expires_at, now() + make_interval(secs => \(leaseSeconds)))
                WHERE id IN (SELECT id FROM workers WHERE id = ANY(\(workers)) ORDER BY id FOR UPDATE)
                """, logger: logger)
        }
    }

    /// Releases some of a worker's leases (jobs it no longer runs, as its hello says).
    @discardableResult
    public func releaseLeases(of worker: String, jobs: [Int64]) async throws -> [Int64] {
        try await transaction { conn in
            try await release(
                conn, where: "lease_owner = $1 AND id = ANY($2)", worker, kind: "lease_released", ids: jobs)
        }
    }

    /// Releases expired leases, except those of workers connected right now: a connected worker
    /// proves it is alive by its traffic (a silent connection is closed by the idle timeout), and
    /// its heartbeat may simply wait behind a burst of fills.
    ///
    /// Runs at every scheduling pass (twice a second and more), so it reads only the jobs of the
    /// workers whose own lease has lapsed, found first over the lease owners' index; a job's lease
    /// can only have run out with its worker's (``leaseExpiry``). Checking every running job's
    /// lease instead took 27–49 ms of PostgreSQL's time a pass at 10,000 jobs (docs/BENCHMARKS.md,
    /// "The list's count and the scheduler's polls").
    @discardableResult
    public func reapExpiredLeases(sparing connected: [String] = []) async throws -> [Int64] {
        // Most passes find no worker lapsed: one statement, no transaction. The owners only narrow
        // the jobs looked at: the release checks each job's whole lease again in its transaction
        // (a worker that renewed since keeps its jobs; one that lapsed since waits for the next
        // pass).
        var owners: [String] = []
        let rows = try await client.query(Self.lapsedOwners(sparing: connected), logger: logger)
        for try await owner in rows.decode(String.self) { owners.append(owner) }
        guard !owners.isEmpty else { return [] }
        return try await transaction { [owners] conn in
            let ids = try await release(
                conn, where: "lease_owner = ANY($1) AND \(Self.leaseExpiry) < now()", nil, kind: "lease_expired",
                names: owners)
            try await applyLossPolicies(to: ids, on: conn)
            return ids
        }
    }

    /// The lease owners of any job whose worker's lease has lapsed (or who have no worker row),
    /// but those in `connected`: the distinct owners are read off the `jobs_lease_owner` index one
    /// probe each (a loose index scan), not from every job row.
    static func lapsedOwners(sparing connected: [String]) -> PostgresQuery {
        """
        WITH RECURSIVE owners(o) AS (
            (SELECT lease_owner FROM jobs WHERE lease_owner IS NOT NULL ORDER BY lease_owner LIMIT 1)
            UNION ALL
            SELECT (SELECT j.lease_owner FROM jobs j WHERE j.lease_owner > owners.o ORDER BY j.lease_owner LIMIT 1)
            FROM owners WHERE owners.o IS NOT NULL)
        SELECT owners.o FROM owners LEFT JOIN workers w ON w.id = owners.o
        WHERE owners.o IS NOT NULL AND (w.lease_expires_at IS NULL OR w.lease_expires_at < now())
            AND NOT (owners.o = ANY(\(connected)))
        """
    }

    /// A live job whose worker was lost (its lease ran out) follows its `on_worker_lost`
    /// (docs/LIVE.md "Risk"): `resume` (the default) is picked up elsewhere as any job; `flatten`
    /// is held by the kill switch with a flatten, so its next run cancels its orders, flattens
    /// and stops; `hold` is stopped and held, placing nothing until an operator releases it.
    func applyLossPolicies(to ids: [Int64], on conn: PostgresConnection) async throws {
        guard !ids.isEmpty else { return }
        let rows = try await conn.query(
            """
            UPDATE jobs SET halt_reason = 'worker lost (on_worker_lost: ' || (spec->>'on_worker_lost') || ')',
                halt_flatten = (spec->>'on_worker_lost') = 'flatten',
                status = CASE WHEN spec->>'on_worker_lost' = 'hold' THEN 'stopped' ELSE status END,
                desired_state = CASE WHEN spec->>'on_worker_lost' = 'hold' THEN 'stopped' ELSE desired_state END,
                finished_at = CASE WHEN spec->>'on_worker_lost' = 'hold' THEN now() ELSE finished_at END
            WHERE id = ANY(\(ids)) AND mode = 'live' AND halt_reason IS NULL
                AND spec->>'on_worker_lost' IN ('flatten', 'hold')
            RETURNING id, name, spec->>'on_worker_lost'
            """, logger: logger)
        for try await (id, name, policy) in rows.decode((Int64, String, String).self) {
            try await recordEvent(
                conn, job: id, name: name, actor: "coordinator", kind: "worker_lost",
                detail: policy == "hold"
                    ? "held: places nothing until released (on_worker_lost: hold)"
                    : "held: its next run cancels its orders, flattens and stops (on_worker_lost: flatten)")
        }
    }

    /// A held job whose kill its runs have not carried out yet (orders cancelled, flattened):
    /// however its run ends, another one is started to do it.
    static let killPending = "(halt_reason IS NOT NULL AND NOT halt_done)"

    func release(
        _ conn: PostgresConnection, where condition: String, _ worker: String?, kind: String,
        names: [String]? = nil, ids: [Int64]? = nil, binds given: PostgresBindings? = nil
    ) async throws -> [Int64] {
        var binds = given ?? PostgresBindings()
        if given == nil {
            if let worker { binds.append(worker) }
            if let names { binds.append(names) }
            if let ids { binds.append(ids) }
        }
        let rows = try await conn.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE jobs SET status = CASE WHEN desired_state = 'running' OR \(Self.killPending) THEN 'pending'
                            ELSE 'stopped' END,
                        desired_state = CASE WHEN \(Self.killPending) THEN 'running' ELSE desired_state END,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                    WHERE id IN (
                        SELECT id FROM jobs WHERE status IN ('assigned', 'running') AND \(condition)
                        ORDER BY id FOR UPDATE)
                        AND status IN ('assigned', 'running') AND \(condition)
                    RETURNING id, name, status
                    """, binds: binds), logger: logger)
        var ids: [Int64] = []
        var names: [String] = []
        var statuses: [String] = []
        for try await (id, name, status) in rows.decode((Int64, String, String).self) {
            ids.append(id)
            names.append(name)
            statuses.append(status)
        }
        // One statement for every release's audit event (a drain hands back hundreds at once).
        if !ids.isEmpty {
            let actor = worker.map { "worker:\($0)" } ?? "coordinator"
            try await conn.query(
                """
                INSERT INTO job_events (job_id, job_name, actor, kind, detail)
                SELECT r.id, r.name, \(actor), \(kind), 'now ' || r.status
                FROM unnest(\(ids)::int8[], \(names)::text[], \(statuses)::text[]) WITH ORDINALITY AS r(id, name, status, k)
                ORDER BY r.k
                """, logger: logger)
        }
        return ids
    }

    /// Pending jobs that want to run, oldest first (a sweep's chunks after every other job: a
    /// search never keeps a trading job waiting; a paused or cancelled sweep's chunks, handed
    /// back by a lost or drained worker, wait for its resume), with their labels and the capabilities they
    /// need (a job on a data set: ``WorkerCapability/datasets``; a job running a trained model:
    /// ``WorkerCapability/models``; a strategy setting `liquidate_share`:
    /// ``WorkerCapability/liquidation``; a sweep's chunk:
    /// ``WorkerCapability/sweeps``, and ``WorkerCapability/sweeps2`` for asked, pilot or held trials) as labels.
    public func pendingJobs(limit: Int = 500) async throws -> [Scheduler.PendingJob] {
        let rows = try await client.query(
            """
            SELECT id, labels || CASE WHEN spec->'data' ? 'set' THEN ARRAY[\(WorkerCapability.label(WorkerCapability.datasets))]
                ELSE '{}'::text[] END
                || CASE WHEN spec ? 'sweep' THEN ARRAY[\(WorkerCapability.label(WorkerCapability.sweeps))] ELSE '{}'::text[] END
                || CASE WHEN spec->'strategy'->'config'->>'hash' LIKE 'xxh3:%'
                    THEN ARRAY[\(WorkerCapability.label(WorkerCapability.models))] ELSE '{}'::text[] END
                || CASE WHEN spec->'strategy'->'config' ? 'liquidate_share'
                    THEN ARRAY[\(WorkerCapability.label(WorkerCapability.liquidation))] ELSE '{}'::text[] END
                || CASE WHEN spec->'sweep' ?| ARRAY['points', 'indices', 'stop', 'pilots']
                    THEN ARRAY[\(WorkerCapability.label(WorkerCapability.sweeps2))] ELSE '{}'::text[] END,
                sweep_id
            FROM jobs WHERE status = 'pending' AND desired_state = 'running'
                AND (sweep_id IS NULL OR EXISTS (SELECT 1 FROM sweeps s WHERE s.id = sweep_id AND s.state = 'running'))
            ORDER BY sweep_id IS NOT NULL, id LIMIT \(limit)
            """, logger: logger)
        var out: [Scheduler.PendingJob] = []
        for try await (id, labels, sweep) in rows.decode((Int64, [String], Int64?).self) {
            out.append(.init(id: id, labels: labels, sweep: sweep))
        }
        return out
    }

    /// Assigns a pending job to a worker, incrementing its fencing epoch in the same transaction,
    /// with what the worker needs to resume it exactly: the last checkpoint and its provenance, and
    /// the revisions to replay (``RevisionPlan``). Returns nil when the job is no longer pending
    /// (another coordinator, or an operator, was first).
    ///
    /// The assignment is made for one connection of the worker (`session`): it locks the worker's
    /// row and needs that connection still registered (a hello in between registers a new one and
    /// reconciles after this commits, or this is refused), and needs a free slot under `capacity`
    /// counting the jobs the worker holds now, so overlapping scheduling passes cannot over-assign
    /// (`ahead`: the worker holds a sweep's chunks ahead, and a chunk may wait there for a slot;
    /// ``WorkerLoad``).
    public func assign(
        job: Int64, to worker: String, session: String? = nil, capacity: Int? = nil, ahead: Bool = false
    ) async throws -> AssignJob? {
        try await transaction { conn in
            if let session {
                // The worker's row locked first, the jobs it holds counted after, in a statement
                // of their own: its snapshot then sees an assignment that held the lock before.
                let locked = try await conn.query(
                    """
                    SELECT 1 FROM workers WHERE id = \(worker) AND session_id = \(session) AND connected FOR UPDATE
                    """, logger: logger)
                var found = false
                for try await _ in locked.decode(Int.self) { found = true }
                guard found else { return nil }
                let rows = try await conn.query(
                    """
                    SELECT count(*), count(*) FILTER (WHERE sweep_id IS NOT NULL),
                        (SELECT sweep_id IS NOT NULL FROM jobs WHERE id = \(job))
                    FROM jobs WHERE lease_owner = \(worker) AND status IN ('assigned', 'running')
                    """, logger: logger)
                var held: (Int64, Int64, Bool?)?
                for try await r in rows.decode((Int64, Int64, Bool?).self) { held = r }
                guard let (jobs, chunks, chunk) = held else { return nil }
                if let capacity {
                    let load = WorkerLoad(capacity: capacity, ahead: ahead, jobs: Int(jobs), chunks: Int(chunks))
                    guard load.admits(chunk: chunk ?? false) else { return nil }
                }
            }
            let rows = try await conn.query(
                """
                UPDATE jobs SET status = 'assigned', epoch = epoch + 1, lease_owner = \(worker),
                    lease_expires_at = now() + make_interval(secs => \(leaseSeconds)), updated_at = now(),
                    assigned_revision = spec_revision, phase = ''
                WHERE id = \(job) AND status = 'pending' AND desired_state = 'running'
                RETURNING epoch, name, spec::text, spec_revision, halt_reason, halt_flatten,
                    (SELECT reason FROM cluster_halt), (SELECT flatten FROM cluster_halt), sweep_id IS NOT NULL
                """, logger: logger)
            var assigned: (Int64, String, String, Int64, String?, Bool, String?, Bool?, Bool)?
            for try await r in rows.decode((Int64, String, String, Int64, String?, Bool, String?, Bool?, Bool).self) {
                assigned = r
            }
            guard let (epoch, name, spec, specRevision, halt, flatten, clusterHalt, clusterFlatten, chunk) = assigned
            else {
                return nil
            }
            var a = AssignJob(
                jobId: job, epoch: epoch, name: name, spec: Array(spec.utf8), checkpoint: [], specRevision: specRevision
            )
            a.halt = halt ?? clusterHalt ?? ""
            a.haltFlatten = halt != nil ? flatten : clusterFlatten ?? false
            a.sweepChunk = chunk
            let cp = try await conn.query(
                """
                SELECT cursor, next_fill_seq, spec_revision, engine_version, data_hash, state, created_at
                FROM checkpoints WHERE job_id = \(job) ORDER BY cursor DESC LIMIT 1
                """, logger: logger)
            var base: (cursor: Int64, revision: Int64)?
            var nextFillSeq: Int64 = 0
            var checkpointAt: Date?
            for try await (cursor, next, revision, engine, hash, state, at) in cp.decode(
                (Int64, Int64, Int64, String, String, ByteBuffer, Date).self)
            {
                checkpointAt = at
                var state = state
                a.checkpoint = state.readBytes(length: state.readableBytes) ?? []
                a.checkpointRevision = revision
                a.checkpointEngine = engine
                a.checkpointDataHash = hash
                base = (cursor, revision)
                nextFillSeq = next
            }
            a.priorIntents = try await priorIntents(job: job, since: checkpointAt, on: conn)
            let revisionRows = try await conn.query(
                "SELECT revision, strategy_config::text, effective_bar FROM job_revisions WHERE job_id = \(job)",
                logger: logger)
            var revisions: [RevisionPlan.Revision] = []
            for try await (revision, config, bar) in revisionRows.decode((Int64, String, Int64?).self) {
                revisions.append(.init(revision: revision, strategyConfig: Array(config.utf8), effectiveBar: bar))
            }
            let lastFill = try await conn.query(
                "SELECT max(bar_index) FROM fills WHERE job_id = \(job) AND seq >= \(nextFillSeq)", logger: logger)
            var lastFillBar: Int64?
            for try await bar in lastFill.decode(Int64?.self) { lastFillBar = bar }
            let plan = RevisionPlan(checkpoint: base, revisions: revisions, lastStoredFillBar: lastFillBar)
            a.schedule = plan.steps
            a.replayUntilBar = plan.replayUntilBar
            let from = base.map { ", from the checkpoint at bar \($0.cursor) (revision \($0.revision))" } ?? ""
            let replays = plan.steps.map { "revision \($0.revision) at bar \($0.atBar)" }.joined(separator: ", ")
            try await recordEvent(
                conn, job: job, name: name, actor: "coordinator", kind: "assigned",
                detail: "worker \(worker), epoch \(epoch)\(from)\(replays.isEmpty ? "" : "; applies \(replays)")")
            return a
        }
    }

    /// Takes back an assignment that could not be sent (its connection was gone): the job is
    /// pending again at once, instead of when the worker's next hello reconciles it.
    @discardableResult
    public func unassign(job: Int64, epoch: Int64, worker: String) async throws -> Bool {
        try await transaction { conn in
            var binds = PostgresBindings()
            binds.append(worker)
            binds.append([job])
            binds.append(epoch)
            return try await !release(
                conn, where: "lease_owner = $1 AND id = ANY($2) AND epoch = $3 AND status = 'assigned'", worker,
                kind: "unassigned", binds: binds
            ).isEmpty
        }
    }

    /// Active jobs whose newest revision has not taken effect and came after their assignment (the
    /// assignment's schedule carries the earlier ones), with what to send their worker.
    public func reloadRequests() async throws -> [(reload: ReloadJob, worker: String)] {
        let rows = try await client.query(Self.reloadRequestsQuery, logger: logger)
        var out: [(reload: ReloadJob, worker: String)] = []
        for try await (id, epoch, owner, revision, config) in rows.decode((Int64, Int64, String, Int64, String).self) {
            out.append(
                (ReloadJob(jobId: id, epoch: epoch, strategyConfig: Array(config.utf8), revision: revision), owner))
        }
        return out
    }

    /// Asked at every scheduling pass: the jobs first, over `jobs_reloading` (migration 29), then
    /// each one's revision by key (the `LIMIT` keeps PostgreSQL from joining the whole revisions
    /// table; an index of unapplied revisions instead would grow with history: a sweep chunk's
    /// and a job's that never ran are never marked in effect).
    static let reloadRequestsQuery: PostgresQuery = """
        SELECT j.id, j.epoch, j.lease_owner, r.revision, r.strategy_config::text FROM jobs j
        CROSS JOIN LATERAL (
            SELECT revision, strategy_config FROM job_revisions
            WHERE job_id = j.id AND revision = j.spec_revision AND effective_bar IS NULL LIMIT 1) r
        WHERE j.status IN ('assigned', 'running') AND j.lease_owner IS NOT NULL AND j.spec_revision > j.assigned_revision
        """

    /// The leases a worker currently holds, as the database sees them.
    public func leases(of worker: String) async throws -> [JobLease] {
        let rows = try await client.query(
            "SELECT id, epoch FROM jobs WHERE lease_owner = \(worker) AND status IN ('assigned', 'running')",
            logger: logger)
        var out: [JobLease] = []
        for try await (id, epoch) in rows.decode((Int64, Int64).self) { out.append(JobLease(jobId: id, epoch: epoch)) }
        return out
    }

    /// Active jobs an operator asked to stop: (job, epoch, worker).
    public func stopRequests() async throws -> [(JobLease, String)] {
        try await stopAndHaltRequests().stops
    }

    /// Active jobs to stop, and which of them the kill switch holds (whether to flatten).
    public func stopAndHaltRequests() async throws -> (stops: [(JobLease, String)], halts: [JobLease: Bool]) {
        let rows = try await client.query(Self.stopRequestsQuery, logger: logger)
        var stops: [(JobLease, String)] = []
        var halts: [JobLease: Bool] = [:]
        for try await (id, epoch, owner, halted, flatten) in rows.decode((Int64, Int64, String, Bool, Bool).self) {
            let lease = JobLease(jobId: id, epoch: epoch)
            stops.append((lease, owner))
            if halted { halts[lease] = flatten }
        }
        return (stops, halts)
    }

    /// Asked at every scheduling pass: read over `jobs_stopping` (migration 29).
    static let stopRequestsQuery: PostgresQuery = """
        SELECT id, epoch, lease_owner, halt_reason IS NOT NULL, halt_flatten FROM jobs
        WHERE desired_state = 'stopped' AND status IN ('assigned', 'running') AND lease_owner IS NOT NULL
        """

}
