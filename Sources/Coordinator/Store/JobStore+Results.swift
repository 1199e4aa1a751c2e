import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// What workers report about their jobs (fenced by epoch), and reading it back.
extension JobStore {
    // MARK: Worker messages

    public func started(_ m: JobStarted) async throws {
        try await transaction { conn in try await started(m, on: conn) }
    }

    func started(_ m: JobStarted, on conn: PostgresConnection) async throws {
        _ = try await conn.query(
            """
            WITH job AS (
                UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()),
                    phase = \(m.phase), updated_at = now(),
                    halt_done = halt_done OR (\(m.phase) = 'halted' AND halt_reason IS NOT NULL)
                WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch) AND status IN ('assigned', 'running')
                RETURNING id)
            INSERT INTO job_progress (job_id, bars_total) SELECT id, \(m.barsTotal) FROM job
            ON CONFLICT (job_id) DO UPDATE SET bars_total = EXCLUDED.bars_total, updated_at = now()
            """, logger: logger)
    }

    /// Inserts fills idempotently (unique by job and seq), under the job's current epoch only. A
    /// superseded run's fills are not kept: its successor resumed from the last stored checkpoint,
    /// whose fills were all stored before it, and makes every later fill again, under the
    /// revisions as they took effect in its own run (a reload the superseded run applied at another
    /// bar, never recorded, would make them differ; the deterministic simulation found it). A
    /// `stale_fills` event counts them. A fill that was stored before must arrive again with the
    /// same values (a deterministic replay makes exactly the same ones): one that differs means
    /// non-determinism, other data or another engine, and fails the job with a `fill_diverged`
    /// event in the same transaction, never passing silently.
    @discardableResult
    public func insertFills(_ batch: FillBatch) async throws -> FillsStored {
        try await transaction { conn in try await insertFills(batch, on: conn) }
    }

    func insertFills(_ batch: FillBatch, on conn: PostgresConnection) async throws -> FillsStored {
        let fills = batch.fills
        guard !fills.isEmpty else { return FillsStored(inserted: 0) }
        var seq: [Int64] = []
        var order: [Int64] = []
        var time: [Int64] = []
        var bar: [Int64] = []
        var side: [String] = []
        var price: [Double] = []
        var quantity: [Double] = []
        var feeBase: [Double] = []
        var feeQuote: [Double] = []
        var liquidity: [String] = []
        var tag: [String] = []
        seq.reserveCapacity(fills.count)
        order.reserveCapacity(fills.count)
        time.reserveCapacity(fills.count)
        bar.reserveCapacity(fills.count)
        price.reserveCapacity(fills.count)
        quantity.reserveCapacity(fills.count)
        feeBase.reserveCapacity(fills.count)
        feeQuote.reserveCapacity(fills.count)
        for f in fills {
            seq.append(f.seq)
            order.append(f.orderId)
            time.append(f.time)
            bar.append(Int64(f.barIndex))
            side.append(f.side.rawValue)
            price.append(f.price)
            quantity.append(f.quantity)
            feeBase.append(f.feeBase)
            feeQuote.append(f.feeQuote)
            liquidity.append(f.liquidity.rawValue)
            tag.append(f.tag.description)
        }
        let h = batch.header
        let revision = batch.specRevision
        let rows = try await conn.query(
            """
            WITH ins AS (
                INSERT INTO fills (job_id, epoch, spec_revision, seq, order_id, time_ms, bar_index, side, price,
                    quantity, fee_base, fee_quote, liquidity, tag)
                SELECT \(h.jobId), \(h.epoch), \(revision), * FROM unnest(\(seq)::int8[], \(order)::int8[],
                    \(time)::int8[], \(bar)::int8[], \(side)::text[], \(price)::float8[], \(quantity)::float8[],
                    \(feeBase)::float8[], \(feeQuote)::float8[], \(liquidity)::text[], \(tag)::text[])
                WHERE EXISTS (SELECT 1 FROM jobs WHERE id = \(h.jobId) AND epoch = \(h.epoch))
                ON CONFLICT DO NOTHING RETURNING 1)
            SELECT count(*), (SELECT epoch FROM jobs WHERE id = \(h.jobId)) FROM ins
            """, logger: logger)
        var inserted = 0
        var current: Int64?
        for try await (n, epoch) in rows.decode((Int64, Int64?).self) {
            inserted = Int(n)
            current = epoch
        }
        guard let current else { return FillsStored(inserted: 0) }
        guard current == h.epoch else {
            try await recordEvent(
                conn, job: h.jobId, name: "", actor: "coordinator", kind: "stale_fills",
                detail: "\(fills.count) fill(s) arrived under superseded epoch \(h.epoch) (now \(current)); not kept: "
                    + "the current run makes them again from its checkpoint")
            logger.info(
                "fills under a superseded epoch dropped", metadata: ["job": "\(h.jobId)", "epoch": "\(h.epoch)"])
            return FillsStored(inserted: 0)
        }
        guard inserted < fills.count else { return FillsStored(inserted: inserted) }
        // Some were stored before (a resend, or a replay from a checkpoint): they must match.
        let differing = try await conn.query(
            """
            SELECT i.seq, f.side || ' ' || f.quantity || ' @ ' || f.price || ' fees ' || f.fee_base || '/' || f.fee_quote
                || ' bar ' || f.bar_index || ' order ' || f.order_id || ' revision ' || f.spec_revision,
                i.side || ' ' || i.quantity || ' @ ' || i.price || ' fees ' || i.fee_base || '/' || i.fee_quote
                || ' bar ' || i.bar_index || ' order ' || i.order_id || ' revision ' || \(revision)
            FROM unnest(\(seq)::int8[], \(order)::int8[], \(time)::int8[], \(bar)::int8[], \(side)::text[],
                \(price)::float8[], \(quantity)::float8[], \(feeBase)::float8[], \(feeQuote)::float8[],
                \(liquidity)::text[], \(tag)::text[])
                AS i(seq, order_id, time_ms, bar_index, side, price, quantity, fee_base, fee_quote, liquidity, tag)
            JOIN fills f ON f.job_id = \(h.jobId) AND f.seq = i.seq
            WHERE (f.order_id, f.time_ms, f.bar_index, f.side, f.price, f.quantity, f.fee_base, f.fee_quote,
                    f.liquidity, f.tag, f.spec_revision)
                IS DISTINCT FROM (i.order_id, i.time_ms, i.bar_index, i.side, i.price, i.quantity, i.fee_base,
                    i.fee_quote, i.liquidity, i.tag, \(revision)::int8)
            ORDER BY i.seq LIMIT 10
            """, logger: logger)
        var diverged: [Int64] = []
        var lines: [String] = []
        for try await (s, stored, received) in differing.decode((Int64, String, String).self) {
            diverged.append(s)
            lines.append("seq \(s): stored \(stored), received \(received)")
        }
        guard !diverged.isEmpty else { return FillsStored(inserted: inserted) }
        let detail =
            "fill(s) \(diverged.map(String.init).joined(separator: ", ")) arrived again under epoch \(h.epoch) "
            + "with other values: \(lines.joined(separator: "; ")). The job is stopped: a replay must make "
            + "exactly the stored fills (same data file, same engine, deterministic strategy)"
        let failed = try await conn.query(
            """
            UPDATE jobs SET status = 'failed', desired_state = 'stopped', last_error = \(detail), finished_at = now(),
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE id = \(h.jobId) AND status NOT IN ('failed', 'completed') RETURNING name
            """, logger: logger)
        var name = ""
        for try await n in failed.decode(String.self) { name = n }
        try await recordEvent(
            conn, job: h.jobId, name: name, actor: "coordinator", kind: "fill_diverged", detail: detail)
        logger.error(
            "fills diverged from the stored ones: job failed",
            metadata: ["job": "\(h.jobId)", "epoch": "\(h.epoch)", "seqs": "\(diverged)"])
        return FillsStored(inserted: inserted, diverged: diverged, detail: detail)
    }

    /// Stores a checkpoint, with what it was made under, if its epoch is current. Returns whether
    /// it was kept. (A batch stores its checkpoints together: ``saveCheckpoints(_:on:)``.)
    @discardableResult
    public func saveCheckpoint(_ m: CheckpointSaved) async throws -> Bool {
        try await transaction { conn in try await saveCheckpoints([m], on: conn) == 0 }
    }

    /// Records the bar where a revision of the job's definition took effect (the current epoch
    /// only, whatever the job's status: the fills made after it are stored under the same rule, and
    /// a successor must replay both; the first report counts, a replay reports the same bar
    /// again). Revisions older than it that never took effect were superseded; the audit trail says
    /// so.
    @discardableResult
    public func reloadApplied(_ m: ReloadApplied) async throws -> Bool {
        try await transaction { conn in try await reloadApplied(m, on: conn) }
    }

    func reloadApplied(_ m: ReloadApplied, on conn: PostgresConnection) async throws -> Bool {
        let rows = try await conn.query(
            """
            UPDATE job_revisions SET effective_bar = \(m.bar), effective_epoch = \(m.header.epoch)
            WHERE job_id = \(m.header.jobId) AND revision = \(m.revision) AND effective_bar IS NULL
                AND EXISTS (SELECT 1 FROM jobs WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch))
            RETURNING (SELECT name FROM jobs WHERE id = \(m.header.jobId)),
                (SELECT coalesce(array_agg(revision ORDER BY revision), '{}') FROM job_revisions
                 WHERE job_id = \(m.header.jobId) AND revision < \(m.revision) AND effective_bar IS NULL)
            """, logger: logger)
        for try await (name, superseded) in rows.decode((String, [Int64]).self) {
            // Revision 1 taking effect at bar 0 is every job's start: not worth an event.
            guard m.revision > 1 || m.bar > 0 else { return true }
            let skipped =
                superseded.filter { $0 > 1 }.isEmpty
                ? ""
                : "; revision(s) \(superseded.filter { $0 > 1 }.map(String.init).joined(separator: ", ")) never took effect"
            try await recordEvent(
                conn, job: m.header.jobId, name: name, actor: "coordinator", kind: "reload_applied",
                detail: "revision \(m.revision) took effect at bar \(m.bar) (epoch \(m.header.epoch))\(skipped)")
            return true
        }
        return false
    }

    /// Progress and curve points of the current epoch (a stale one changes nothing). Points are
    /// keyed by bar: a replay after a resume writes the same ones again, which are skipped. (A
    /// batch writes its progress together: ``progressAll(_:on:)``.)
    public func progress(_ m: JobProgress) async throws {
        try await transaction { conn in try await progressAll([m], on: conn) }
    }

    /// A job's sampled curve, in bar order.
    public func curve(job ref: String) async throws -> [CurvePoint] {
        let id = try await job(ref).id
        let rows = try await client.query(
            "SELECT bar_index, time_ms, close, equity, plots FROM job_curve WHERE job_id = \(id) ORDER BY bar_index",
            logger: logger)
        var out: [CurvePoint] = []
        for try await (bar, time, close, equity, plots) in rows.decode((Int64, Int64, Double, Double, [Double]?).self) {
            out.append(CurvePoint(barIndex: bar, timeMs: time, close: close, equity: equity, plots: plots ?? []))
        }
        return out
    }

    /// The series a job's strategy draws (its plot topics), as its worker declared them with its
    /// curve points: each point's ``CurvePoint/plots`` are in this order. Empty for a strategy
    /// that draws none, or before the first point.
    public func plots(job ref: String) async throws -> [PlotSeries] {
        let id = try await job(ref).id
        let rows = try await client.query("SELECT series::text FROM job_plots WHERE job_id = \(id)", logger: logger)
        for try await text in rows.decode(String.self) {
            return try JSONDecoder().decode([PlotSeries].self, from: Data(text.utf8))
        }
        return []
    }

    /// The job ended on its worker, or the worker gave it back (`released`: it goes back to
    /// pending, or to stopped when an operator asked for that, and resumes from its checkpoint).
    /// Returns false when the epoch was stale (nothing changed).
    @discardableResult
    public func finished(_ m: JobFinished, worker: String) async throws -> Bool {
        try await transaction { conn in try await finished(m, worker: worker, on: conn) }
    }

    func finished(_ m: JobFinished, worker: String, on conn: PostgresConnection) async throws -> Bool {
        if m.outcome == .released {
            var binds = PostgresBindings()
            binds.append(worker)
            binds.append([m.header.jobId])
            binds.append(m.header.epoch)
            let released = try await release(
                conn, where: "lease_owner = $1 AND id = ANY($2) AND epoch = $3", worker, kind: "released", binds: binds)
            return !released.isEmpty
        }
        // A sweep's chunk completes with its trials' records, checked against its plan first: a
        // chunk whose records cannot be read fails (a resume runs it again) rather than completing.
        var chunk: (spec: SweepChunkSpec, ledger: LedgerKey, outcomes: [TrialOutcome])?
        if m.outcome == .completed {
            let rows = try await conn.query(
                """
                SELECT (spec->'sweep')::text, spec->'strategy'->>'namespace',
                    coalesce(spec->'data'->>'hash', 'file:' || (spec->'data'->>'path'))
                FROM jobs WHERE id = \(m.header.jobId) AND spec ? 'sweep'
                """,
                logger: logger)
            for try await (text, strategy, data) in rows.decode((String, String, String).self) {
                let spec = try JSONDecoder().decode(SweepChunkSpec.self, from: Data(text.utf8))
                switch Self.chunkOutcomes(m.trials, spec) {
                case .success(let outcomes):
                    chunk = (spec, LedgerKey(strategy: strategy, data: data), outcomes)
                case .failure(let problem):
                    return try await failed(
                        JobFailed(header: m.header, error: "the chunk's results were refused: \(problem.description)"),
                        worker: worker, on: conn)
                }
            }
        }
        let status = m.outcome == .completed ? "completed" : "stopped"
        let stats = String(decoding: m.statistics, as: UTF8.self)
        // A held job whose run stopped before carrying out its kill (a plain stop raced it) is
        // started again to do it; so is a sweep's chunk stopped by a cancel that a resume undid
        // before the worker's answer came.
        let rows = try await conn.query(
            """
            UPDATE jobs SET status = CASE WHEN \(unescaped: Self.killPending) THEN 'pending'
                    WHEN \(status) = 'stopped' AND sweep_id IS NOT NULL AND desired_state = 'running' THEN 'pending'
                    ELSE \(status) END,
                statistics = nullif(\(stats), '')::jsonb, finished_at = now(),
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now(), phase = '',
                desired_state = CASE WHEN \(unescaped: Self.killPending) THEN 'running'
                    WHEN \(status) = 'stopped' AND sweep_id IS NOT NULL AND desired_state = 'running' THEN 'running'
                    WHEN \(status) = 'stopped' THEN 'stopped' ELSE desired_state END
            WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch) AND status IN ('assigned', 'running')
            RETURNING name
            """, logger: logger)
        for try await name in rows.decode(String.self) {
            if let chunk {
                try await storeChunkRecords(m, chunk: chunk.spec, worker: worker, on: conn)
                try await addToLedger(
                    chunk.ledger, outcomes: chunk.outcomes, spread: chunk.spec.pilots == nil, on: conn)
            }
            if status == "completed" {
                try await conn.query(
                    """
                    INSERT INTO job_progress (job_id) VALUES (\(m.header.jobId))
                    ON CONFLICT (job_id) DO UPDATE SET bars_done = job_progress.bars_total, updated_at = now()
                    """,
                    logger: logger)
            }
            try await recordEvent(
                conn, job: m.header.jobId, name: name, actor: "worker:\(worker)", kind: status, detail: "")
            return true
        }
        return false
    }

    @discardableResult
    public func failed(_ m: JobFailed, worker: String) async throws -> Bool {
        try await transaction { conn in try await failed(m, worker: worker, on: conn) }
    }

    func failed(_ m: JobFailed, worker: String, on conn: PostgresConnection) async throws -> Bool {
        let rows = try await conn.query(
            """
            UPDATE jobs SET status = 'failed', last_error = \(m.error), finished_at = now(), lease_owner = NULL,
                lease_expires_at = NULL, updated_at = now()
            WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch) AND status IN ('assigned', 'running')
            RETURNING name
            """, logger: logger)
        for try await name in rows.decode(String.self) {
            try await recordEvent(
                conn, job: m.header.jobId, name: name, actor: "worker:\(worker)", kind: "failed", detail: m.error)
            return true
        }
        return false
    }

    public func fills(job ref: String, after: Int64 = -1, limit: Int = 10_000) async throws -> [FillRow] {
        let id = try await job(ref).id
        let rows = try await client.query(
            """
            SELECT job_id, seq, epoch, order_id, time_ms, bar_index, side, price, quantity, fee_base, fee_quote, liquidity, tag,
                spec_revision
            FROM fills WHERE job_id = \(id) AND seq > \(after) ORDER BY seq LIMIT \(limit)
            """, logger: logger)
        var out: [FillRow] = []
        for try await t in rows.decode(
            (Int64, Int64, Int64, Int64, Int64, Int64, String, Double, Double, Double, Double, String, String, Int64)
                .self)
        {
            out.append(
                FillRow(
                    jobId: t.0, seq: t.1, epoch: t.2, orderId: t.3, timeMs: t.4, barIndex: t.5, side: t.6, price: t.7,
                    quantity: t.8, feeBase: t.9, feeQuote: t.10, liquidity: t.11, tag: t.12, specRevision: t.13))
        }
        return out
    }

    public func checkpoints(job ref: String) async throws -> [CheckpointRecord] {
        let id = try await job(ref).id
        let rows = try await client.query(
            """
            SELECT job_id, cursor, epoch, next_fill_seq, octet_length(state),
                coalesce(plain_bytes, octet_length(state)), created_at
            FROM checkpoints WHERE job_id = \(id) ORDER BY cursor
            """, logger: logger)
        var out: [CheckpointRecord] = []
        for try await t in rows.decode((Int64, Int64, Int64, Int64, Int, Int, Date).self) {
            out.append(
                CheckpointRecord(
                    jobId: t.0, cursor: t.1, epoch: t.2, nextFillSeq: t.3, bytes: t.4, plainBytes: t.5, createdAt: t.6))
        }
        return out
    }
}
