import ATSShared
import Foundation
import PostgresNIO

/// A connection's job messages, persisted many to a transaction: what a worker streams (fills,
/// checkpoints, progress, releases) costs one commit per batch, not one per message, so a worker
/// handing back hundreds of jobs at once is done in a few commits.
extension JobStore {
    /// What persisting a batch did, for the caller to act on once it committed.
    public struct Persisted: Sendable, Equatable {
        public var fillsInserted = 0
        /// Jobs whose fills diverged (failed in the same transaction): stop them where they run.
        public var diverged: [JobLease] = []
        /// A job finished, failed or was given back: a scheduling pass is due.
        public var jobsEnded = false
        public var checkpointsDropped = 0
        /// Each order intent's verdict, for the worker (sent once the batch committed).
        public var verdicts: [IntentVerdict] = []
        public var venueFillsInserted = 0

        public init() {}
    }

    /// Persists `messages` (job messages of one worker, in order) in one transaction.
    ///
    /// Only the transaction's end state is seen by anyone else, so the messages are applied kind
    /// by kind in the order every job sends them (started, revisions taking effect, fills,
    /// progress, checkpoints, endings), each kind in as few statements as SQL allows: a drain's
    /// hundreds of checkpoints and releases cost a handful of statements, not one each. Each job's
    /// own messages keep their order within a kind (its fills batch by batch).
    public func persist(_ messages: some Collection<WireMessage>, worker: String) async throws -> Persisted {
        let jobs = Array(Set(messages.compactMap { $0.jobHeader?.jobId })).sorted()
        return try await transaction { conn in
            // The jobs' rows first, in id order, as every transaction that changes several does
            // (a reconnection's reconciliation, a release): no two wait on each other in a cycle.
            // Only the jobs this worker holds the lease of are written: another authenticated
            // worker's messages for them (a job id and epoch guessed, or a run it lost) change
            // nothing, as a stale epoch's do not. Live trading's facts have rules of their own: an
            // order intent's verdict checks the lease itself (a refusal is what its worker waits
            // for); an intent's outcome and a venue execution come from the worker holding the job,
            // or from the one that wrote the intent (a run that lost its lease may still report
            // what the venue did with its own orders).
            let rows = try await conn.query(
                """
                SELECT id, lease_owner IS NOT DISTINCT FROM \(worker) FROM jobs WHERE id = ANY(\(jobs))
                ORDER BY id FOR UPDATE
                """, logger: logger)
            var (held, existing): (Set<Int64>, Set<Int64>) = ([], [])
            for try await (id, holds) in rows.decode((Int64, Bool).self) {
                existing.insert(id)
                if holds { held.insert(id) }
            }
            var out = Persisted()
            var progress: [JobProgress] = []
            var checkpoints: [CheckpointSaved] = []
            var releases: [JobHeader] = []
            var endings: [WireMessage] = []
            for message in messages {
                var allowed = true
                switch message {
                case .intentWritten: break
                case .intentResolved(let m):
                    allowed = try await wroteIntent(
                        m.clientOrderId, job: m.header.jobId, worker: worker, held: held, on: conn)
                case .venueFills(let m):
                    allowed = try await wroteIntents(
                        job: m.header.jobId, epoch: m.header.epoch, worker: worker, held: held, on: conn)
                case .fills(let m) where !held.contains(m.header.jobId):
                    // Counted as a superseded run's are: a late batch from a worker that lost the job
                    // (none for a job that does not exist: nothing to count it against).
                    if existing.contains(m.header.jobId) {
                        try await recordEvent(
                            conn, job: m.header.jobId, name: "", actor: "coordinator", kind: "stale_fills",
                            detail:
                                "\(m.fills.count) fill(s) from \(worker), which does not hold the job's lease; not kept"
                        )
                    }
                    allowed = false
                default: allowed = message.jobHeader.map { held.contains($0.jobId) } ?? true
                }
                guard allowed else { continue }
                switch message {
                case .started(let m): try await started(m, on: conn)
                case .reloadApplied(let m): _ = try await reloadApplied(m, on: conn)
                case .fills(let m):
                    let stored = try await insertFills(m, on: conn)
                    out.fillsInserted += stored.inserted
                    if !stored.diverged.isEmpty {
                        out.diverged.append(JobLease(jobId: m.header.jobId, epoch: m.header.epoch))
                    }
                case .progress(let m): progress.append(m)
                case .checkpoint(let m): checkpoints.append(m)
                case .finished(let m) where m.outcome == .released: releases.append(m.header)
                case .finished, .failed: endings.append(message)
                case .intentWritten(let m): out.verdicts.append(try await writeIntent(m, worker: worker, on: conn))
                case .intentResolved(let m): try await resolveIntent(m, on: conn)
                case .venueFills(let m): out.venueFillsInserted += try await insertVenueFills(m, on: conn)
                case .candlesSeen(let m): try await recordCandles(m, on: conn)
                default:
                    throw StoreError.conflict("\(message.name) is not a job message")
                }
            }
            try await progressAll(progress, on: conn)
            out.checkpointsDropped = try await saveCheckpoints(checkpoints, on: conn)
            if !releases.isEmpty {
                var binds = PostgresBindings()
                binds.append(worker)
                binds.append(releases.map(\.jobId))
                binds.append(releases.map(\.epoch))
                _ = try await release(
                    conn,
                    where: "lease_owner = $1 AND (id, epoch) IN (SELECT * FROM unnest($2::int8[], $3::int8[]))",
                    worker, kind: "released", binds: binds)
                out.jobsEnded = true
            }
            for message in endings {
                switch message {
                case .finished(let m): _ = try await finished(m, worker: worker, on: conn)
                case .failed(let m): _ = try await failed(m, worker: worker, on: conn)
                default: break
                }
                out.jobsEnded = true
            }
            return out
        }
    }

    /// Whether `worker` may report the outcome of intent `id`: it holds the job, or wrote the intent.
    func wroteIntent(_ id: String, job: Int64, worker: String, held: Set<Int64>, on conn: PostgresConnection)
        async throws -> Bool
    {
        if held.contains(job) { return true }
        let rows = try await conn.query(
            "SELECT 1 FROM order_intents WHERE client_order_id = \(id) AND job_id = \(job) AND worker = \(worker)",
            logger: logger)
        return try await rows.decode(Int.self).first(where: { _ in true }) != nil
    }

    /// Whether `worker` may report the venue's executions for a job's run at `epoch`: it holds the
    /// job, or wrote that run's intents.
    func wroteIntents(job: Int64, epoch: Int64, worker: String, held: Set<Int64>, on conn: PostgresConnection)
        async throws -> Bool
    {
        if held.contains(job) { return true }
        let rows = try await conn.query(
            "SELECT 1 FROM order_intents WHERE job_id = \(job) AND epoch = \(epoch) AND worker = \(worker) LIMIT 1",
            logger: logger)
        return try await rows.decode(Int.self).first(where: { _ in true }) != nil
    }

    /// Progress of many jobs in two statements: each job's latest counts (its `job_progress` row,
    /// made if missing; the job row is only read, for the epoch), and every curve point
    /// (keyed by bar: a replay's points are skipped). The current epoch of an active job only.
    func progressAll(_ messages: [JobProgress], on conn: PostgresConnection) async throws {
        guard !messages.isEmpty else { return }
        var latest: [Int64: JobProgress] = [:]
        for m in messages { latest[m.header.jobId] = m }
        let rows = latest.values.sorted { $0.header.jobId < $1.header.jobId }
        // Every job has its progress row from its creation on (createJob, a sweep's chunks), so
        // the rows are updated, and only one missing (an older coordinator's job, or one deleted
        // by hand) is added: an upsert's conflict locks the row first, a WAL record of its own
        // for each of the ~1,000 reports a second at 10,000 jobs.
        try await conn.query(
            """
            WITH u AS (
                SELECT u.* FROM unnest(\(rows.map(\.header.jobId))::int8[], \(rows.map(\.header.epoch))::int8[],
                    \(rows.map(\.barsDone))::int8[], \(rows.map(\.barsTotal))::int8[], \(rows.map(\.equity))::float8[],
                    \(rows.map(\.exposure))::float8[], \(rows.map(\.dayPnl))::float8[])
                    AS u(id, epoch, done, total, equity, exposure, pnl)
                JOIN jobs j ON j.id = u.id AND j.epoch = u.epoch AND j.status IN ('assigned', 'running')),
            changed AS (
                UPDATE job_progress AS p SET bars_done = u.done, bars_total = u.total, equity = u.equity,
                    exposure = u.exposure, day_pnl = u.pnl, exposure_at = now(), updated_at = now()
                FROM u WHERE p.job_id = u.id
                RETURNING p.job_id)
            INSERT INTO job_progress (job_id, bars_done, bars_total, equity, exposure, day_pnl, exposure_at, updated_at)
            SELECT u.id, u.done, u.total, u.equity, u.exposure, u.pnl, now(), now()
            FROM u WHERE u.id NOT IN (SELECT job_id FROM changed)
            ON CONFLICT (job_id) DO NOTHING
            """, logger: logger)
        // A point's series values are kept only when they match the series its progress declares
        // (at most ``JobProgress/maximumPlots``): anything else could not be drawn.
        let points = messages.flatMap { m in
            m.curve.map { point in
                var kept = point
                if point.plots.count != m.plots.count { kept.plots = [] }
                return (m.header, kept)
            }
        }
        guard !points.isEmpty else { return }
        // Each point's series as an array literal ('' for none, stored as NULL): one text per
        // point keeps the statement's arrays one-dimensional.
        try await conn.query(
            """
            INSERT INTO job_curve (job_id, bar_index, time_ms, close, equity, plots)
            SELECT p.job, p.bar, p.time, p.close, p.equity, nullif(p.plots, '')::float8[]
            FROM unnest(\(points.map(\.0.jobId))::int8[], \(points.map(\.0.epoch))::int8[],
                \(points.map(\.1.barIndex))::int8[], \(points.map(\.1.timeMs))::int8[], \(points.map(\.1.close))::float8[],
                \(points.map(\.1.equity))::float8[], \(points.map { Self.arrayLiteral($0.1.plots) })::text[])
                AS p(job, epoch, bar, time, close, equity, plots)
            JOIN jobs j ON j.id = p.job AND j.epoch = p.epoch AND j.status IN ('assigned', 'running')
            ON CONFLICT (job_id, bar_index) DO NOTHING
            """, logger: logger)
        // The series the points' values belong to, once per job (rewritten only if they change):
        // the last declaration of each assignment, as a batch may hold a stale epoch's after the
        // current one's (the join keeps the current epoch's alone).
        struct Assignment: Hashable {
            var job: Int64
            var epoch: Int64
        }
        var declared: [Assignment: JobProgress] = [:]
        for m in messages where !m.plots.isEmpty && !m.curve.isEmpty {
            declared[Assignment(job: m.header.jobId, epoch: m.header.epoch)] = m
        }
        guard !declared.isEmpty else { return }
        let series = declared.values.sorted { ($0.header.jobId, $0.header.epoch) < ($1.header.jobId, $1.header.epoch) }
        let json = try series.map { String(decoding: try JSONEncoder().encode($0.plots), as: UTF8.self) }
        // Changed where they differ, added where there are none: an upsert would lock (and log)
        // every row it leaves as it is.
        try await conn.query(
            """
            WITH u AS (
                SELECT u.id, u.series::jsonb AS series
                FROM unnest(\(series.map(\.header.jobId))::int8[], \(series.map(\.header.epoch))::int8[],
                    \(json)::text[]) AS u(id, epoch, series)
                JOIN jobs j ON j.id = u.id AND j.epoch = u.epoch AND j.status IN ('assigned', 'running')),
            changed AS (
                UPDATE job_plots p SET series = u.series FROM u
                WHERE p.job_id = u.id AND p.series IS DISTINCT FROM u.series)
            INSERT INTO job_plots (job_id, series)
            SELECT u.id, u.series FROM u WHERE NOT EXISTS (SELECT FROM job_plots p WHERE p.job_id = u.id)
            ON CONFLICT (job_id) DO NOTHING
            """, logger: logger)
    }

    /// Values as a PostgreSQL array literal of float8 (exact: Swift writes each double's shortest
    /// text that reads back to the same bits), or "" for none.
    static func arrayLiteral(_ values: [Double]) -> String {
        guard !values.isEmpty else { return "" }
        return "{"
            + values.map { $0.isNaN ? "NaN" : $0.isInfinite ? ($0 > 0 ? "Infinity" : "-Infinity") : "\($0)" }
            .joined(separator: ",") + "}"
    }

    /// Checkpoints of many jobs in one statement, each kept only under its job's current epoch
    /// (and only the newest ``checkpointsKept`` of each job);
    /// returns how many were dropped (stale, or already stored at that cursor). A live run's
    /// checkpoint (serial > 0) replaces the one stored at its cursor when it is newer — a later
    /// epoch, or the same epoch and a higher serial — and takes the time of its storing, which
    /// the assignment's prior intents are counted from. A batch holds at most one per job and
    /// cursor (the last), as one statement may not change a row twice.
    func saveCheckpoints(_ all: [CheckpointSaved], on conn: PostgresConnection) async throws -> Int {
        guard !all.isEmpty else { return 0 }
        struct At: Hashable {
            var job: Int64
            var cursor: Int64
        }
        var lastAt: [At: Int] = [:]
        for (i, m) in all.enumerated() { lastAt[At(job: m.header.jobId, cursor: m.cursor)] = i }
        let kept = all.indices.filter { lastAt[At(job: all[$0].header.jobId, cursor: all[$0].cursor)] == $0 }.map {
            all[$0]
        }
        let rows = try await conn.query(
            """
            WITH ins AS (
                INSERT INTO checkpoints (job_id, cursor, epoch, next_fill_seq, state, spec_revision, engine_version,
                    data_hash, serial, plain_bytes)
                SELECT u.job_id, u.cursor, u.epoch, u.next_fill_seq, u.state, u.spec_revision, u.engine_version,
                    u.data_hash, u.serial, u.plain_bytes
                FROM unnest(\(kept.map(\.header.jobId))::int8[], \(kept.map(\.cursor))::int8[],
                    \(kept.map(\.header.epoch))::int8[], \(kept.map(\.nextFillSeq))::int8[],
                    \(kept.map { ByteBuffer(bytes: $0.state) })::bytea[], \(kept.map(\.specRevision))::int8[],
                    \(kept.map(\.engineVersion))::text[], \(kept.map(\.dataHash))::text[], \(kept.map(\.serial))::int8[],
                    \(kept.map { CheckpointCompression.plainSize($0.state) ?? $0.state.count })::int8[])
                    AS u(job_id, cursor, epoch, next_fill_seq, state, spec_revision, engine_version, data_hash, serial,
                        plain_bytes)
                JOIN jobs j ON j.id = u.job_id AND j.epoch = u.epoch
                ON CONFLICT (job_id, cursor) DO UPDATE SET epoch = EXCLUDED.epoch,
                    next_fill_seq = EXCLUDED.next_fill_seq, state = EXCLUDED.state, plain_bytes = EXCLUDED.plain_bytes,
                    spec_revision = EXCLUDED.spec_revision, engine_version = EXCLUDED.engine_version,
                    data_hash = EXCLUDED.data_hash, serial = EXCLUDED.serial, created_at = now()
                WHERE EXCLUDED.serial > 0
                    AND (checkpoints.epoch, checkpoints.serial) < (EXCLUDED.epoch, EXCLUDED.serial)
                RETURNING 1)
            SELECT count(*) FROM ins
            """, logger: logger)
        var inserted = 0
        for try await n in rows.decode(Int64.self) { inserted = Int(n) }
        // Only the newest `checkpointsKept` of each job that checkpointed stay.
        let jobs = Array(Set(kept.map(\.header.jobId))).sorted()
        try await conn.query(
            """
            DELETE FROM checkpoints c USING unnest(\(jobs)::int8[]) AS u(job)
            WHERE c.job_id = u.job AND c.cursor < (
                SELECT k.cursor FROM checkpoints k WHERE k.job_id = u.job
                ORDER BY k.cursor DESC OFFSET \(max(checkpointsKept, 1) - 1) LIMIT 1)
            """, logger: logger)
        return all.count - inserted
    }
}
