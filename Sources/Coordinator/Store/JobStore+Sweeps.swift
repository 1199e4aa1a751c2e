import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// Parameter sweeps (docs/SWEEPS.md): a definition, and its chunks as jobs of the sweep (hidden
/// from the job list), each completed with its trials' records under its epoch.
extension JobStore {
    /// What an operator asks of a sweep.
    public enum SweepAction: String, Sendable, CaseIterable {
        /// No new chunk starts (running ones finish).
        case pause
        /// The chunks not done (stopped or failed) run again.
        case resume
        /// No new chunk starts, and running ones are stopped.
        case cancel
    }

    /// Stores a validated sweep (`start`: the run each trial starts from) and its chunks as pending
    /// jobs, in one transaction. Names are unique among sweeps. With early stopping, `pilots` (the
    /// candidates run first, ``SweepPlan/chunks(trialsPerChunk:pilots:)``) are cut into
    /// chunks of `pilotsPerChunk` and stored now; `chunks` (the rest) are stored once they are done.
    public func createSweep(
        _ spec: SweepSpec, start: RunSpec, chunks: [SweepPlan.Chunk], trials: Int, actor: String,
        pilots: [Int] = [], pilotsPerChunk: Int = 1
    ) async throws -> SweepRecord {
        let pilotChunks = Swift.stride(from: 0, to: pilots.count, by: max(1, pilotsPerChunk)).map {
            Array(pilots[$0..<min(pilots.count, $0 + max(1, pilotsPerChunk))])
        }
        let total = pilotChunks.count + chunks.count
        let config = String(decoding: try JSONCoding.encoder().encode(start.strategy.config), as: UTF8.self)
        do {
            return try await transaction { conn in
                // A trained model's, pinned by the caller, held until the sweep is stored (its
                // removal is refused from then on: ``deleteModel(_:actor:)``).
                try await holdModel(start.strategy.config, on: conn)
                // The data set pinned to its hash now: every chunk runs on the same bytes.
                let pinned = try await pinDataset(
                    JobSpec(name: spec.name, labels: spec.labels, data: spec.data, run: start), on: conn)
                var stored = spec
                stored.data = pinned.data
                let json = String(decoding: stored.json(), as: UTF8.self)
                let rows = try await conn.query(
                    """
                    INSERT INTO sweeps (name, spec, trials, chunks, created_by)
                    VALUES (\(spec.name), \(json)::jsonb, \(Int64(trials)), \(Int64(total)), \(actor))
                    RETURNING id
                    """, logger: logger)
                guard let id = try await rows.decode(Int64.self).first(where: { _ in true }) else {
                    throw StoreError.conflict("insert returned nothing")
                }
                // The chunks (Bayesian search: the first batch's, asked now; early stopping: the
                // pilots'; the others are stored when those are done, ``askSweepBatches()``).
                var specs: [SweepChunkSpec] = []
                if spec.earlyStop != nil {
                    specs = pilotChunks.enumerated().map { k, group in
                        var chunk = SweepChunkSpec(
                            sweep: id, chunk: k,
                            range: SweepPlan.Chunk(
                                first: group[0], end: group[group.count - 1] + 1, trials: group.count),
                            plan: spec.plan, walkForward: spec.walkForward)
                        chunk.indices = group
                        return chunk
                    }
                } else if spec.plan.search == .tpe {
                    let batch = spec.plan.batch(startingAt: 0)
                    guard let asks = spec.plan.asks(batch, after: [], objective: spec.objective) else {
                        throw StoreError.conflict("the condition refused every draw of the first batch")
                    }
                    for (k, range) in chunks.enumerated() where range.end <= batch.upperBound {
                        specs.append(
                            SweepChunkSpec(
                                sweep: id, chunk: k, range: range, plan: spec.plan, walkForward: spec.walkForward,
                                points: asks[(range.first - batch.lowerBound)..<(range.end - batch.lowerBound)].map(
                                    \.parameters)))
                    }
                } else {
                    specs = chunks.enumerated().map {
                        SweepChunkSpec(
                            sweep: id, chunk: $0.offset, range: $0.element, plan: spec.plan,
                            walkForward: spec.walkForward)
                    }
                }
                try await insertChunks(specs, of: pinned, sweep: spec.name, config: config, actor: actor, on: conn)
                let key = LedgerKey(stored)
                try await conn.query(
                    """
                    INSERT INTO research_ledger (strategy, data, sweeps) VALUES (\(key.strategy), \(key.data), 1)
                    ON CONFLICT (strategy, data) DO UPDATE SET sweeps = research_ledger.sweeps + 1, updated_at = now()
                    """, logger: logger)
                try await recordEvent(
                    conn, job: nil, name: spec.name, actor: actor, kind: "sweep_created",
                    detail: "\(trials) trials in \(total) chunks")
                return try await sweep(id: id, on: conn)
            }
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict(
                "a sweep named \"\(spec.name)\" already exists (or a job named like one of its chunks)")
        }
    }

    /// Stores chunks of a sweep as pending jobs on `base` (the run and data every trial starts
    /// from), a few thousand rows a statement.
    func insertChunks(
        _ chunks: [SweepChunkSpec], of base: JobSpec, sweep name: String, config: String, actor: String,
        on conn: PostgresConnection
    ) async throws {
        guard let id = chunks.first?.sweep else { return }
        var k = 0
        while k < chunks.count {
            let batch = chunks[k..<min(chunks.count, k + 2_000)]
            var names: [String] = []
            var specs: [String] = []
            for chunk in batch {
                var job = base
                job.name = SweepChunkSpec.jobName(sweep: name, chunk: chunk.chunk)
                job.sweep = chunk
                names.append(job.name)
                specs.append(String(decoding: job.json(), as: UTF8.self))
            }
            try await conn.query(
                """
                WITH chunk AS (
                    INSERT INTO jobs (name, mode, spec, labels, created_by, sweep_id)
                    SELECT n, 'backtest', s::jsonb, \(base.labels), \(actor), \(id)
                    FROM unnest(\(names)::text[], \(specs)::text[]) AS u(n, s)
                    RETURNING id),
                progress AS (INSERT INTO job_progress (job_id) SELECT id FROM chunk)
                INSERT INTO job_revisions (job_id, revision, strategy_config, created_by)
                SELECT id, 1, \(config)::jsonb, \(actor) FROM chunk
                """, logger: logger)
            k += batch.count
        }
    }

    /// Every sweep, newest first.
    public func sweeps(limit: Int = 1_000) async throws -> [SweepRecord] {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.sweepColumns) FROM sweeps s ORDER BY s.id DESC LIMIT \(limit)", logger: logger)
        return try await Self.sweepRecords(rows)
    }

    /// A sweep by name (or id).
    public func sweep(_ ref: String) async throws -> SweepRecord {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.sweepColumns) FROM sweeps s
            WHERE s.name = \(ref) OR s.id = \(Int64(ref)) ORDER BY s.name = \(ref) DESC LIMIT 1
            """, logger: logger)
        guard let record = try await Self.sweepRecords(rows).first else {
            throw StoreError.notFound("no sweep \"\(ref)\"")
        }
        return record
    }

    func sweep(id: Int64, on conn: PostgresConnection) async throws -> SweepRecord {
        let rows = try await conn.query(
            "SELECT \(unescaped: Self.sweepColumns) FROM sweeps s WHERE s.id = \(id)", logger: logger)
        guard let record = try await Self.sweepRecords(rows).first else { throw StoreError.notFound("no sweep \(id)") }
        return record
    }

    /// The records every chunk of the sweep stored so far but those of chunks `done`, in chunk
    /// order, as rows `(chunk, records)` read on demand (one chunk's records at a time).
    public func sweepRecordRows(sweep id: Int64, excluding done: [Int32] = []) async throws -> PostgresRowSequence {
        try await client.query(
            """
            SELECT chunk, records FROM sweep_results WHERE sweep_id = \(id) AND NOT (chunk = ANY(\(done)))
            ORDER BY chunk
            """, logger: logger)
    }

    /// The records every chunk of the sweep stored so far, in chunk order, all at once (a small
    /// sweep's; reports fold ``sweepRecordRows(sweep:)`` instead).
    public func sweepRecords(sweep id: Int64) async throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for try await (_, bytes) in try await sweepRecordRows(sweep: id).decode((Int32, ByteBuffer).self) {
            out.append(Array(buffer: bytes))
        }
        return out
    }

    /// The chunk holding candidate `trial` of sweep `id`, and its records when stored (nil: no
    /// chunk holds it — the condition refuses it, it is past the sweep's candidates, or its batch
    /// is not asked yet).
    public func sweepChunk(sweep id: Int64, holding trial: Int) async throws -> (
        chunk: SweepChunkSpec, records: [UInt8]?
    )? {
        let rows = try await client.query(
            """
            SELECT (j.spec->'sweep')::text, r.records FROM jobs j
            LEFT JOIN sweep_results r ON r.sweep_id = j.sweep_id AND r.chunk = (j.spec->'sweep'->>'chunk')::int
            WHERE j.sweep_id = \(id) AND (j.spec->'sweep'->>'first')::int8 <= \(Int64(trial))
                AND (j.spec->'sweep'->>'end')::int8 > \(Int64(trial))
                AND (NOT (j.spec->'sweep' ? 'indices') OR j.spec->'sweep'->'indices' @> to_jsonb(\(Int64(trial))))
            ORDER BY j.id
            """, logger: logger)
        // Early stopping: a pilot's range spans others' (its candidates are spread), and a later
        // chunk's range holds pilots it skips: the chunk is the one whose trials hold it.
        for try await (text, records) in rows.decode((String, ByteBuffer?).self) {
            let chunk = try JSONDecoder().decode(SweepChunkSpec.self, from: Data(text.utf8))
            guard chunk.trialPoints?.contains(where: { $0.index == trial }) ?? false else { continue }
            return (chunk, records.map { Array(buffer: $0) })
        }
        return nil
    }

    /// Pauses, resumes or cancels a sweep (``SweepAction``); returns it after the change.
    public func sweep(_ action: SweepAction, _ ref: String, actor: String) async throws -> SweepRecord {
        let current = try await sweep(ref)
        return try await transaction { conn in
            let state = try await lockSweep(current, ref, on: conn)
            let next: String
            switch action {
            case .pause:
                guard state == "running" else { throw StoreError.conflict("sweep \"\(current.name)\" is \(state)") }
                next = "paused"
            case .resume: next = "running"
            case .cancel:
                guard state != "cancelled" else { throw StoreError.conflict("sweep \"\(current.name)\" is cancelled") }
                next = "cancelled"
            }
            try await conn.query(
                "UPDATE sweeps SET state = \(next), updated_at = now() WHERE id = \(current.id)", logger: logger)
            switch action {
            case .pause, .cancel:
                // Chunks waiting for a worker wait no more; a cancel stops the running ones too, a
                // pause those held ahead on a worker and not started (`assigned`; the scheduler
                // asks their workers, and a resume runs them again).
                try await conn.query(
                    """
                    UPDATE jobs SET status = 'stopped', desired_state = 'stopped', finished_at = now(), updated_at = now()
                    WHERE sweep_id = \(current.id) AND status = 'pending'
                    """, logger: logger)
                let held = action == .cancel ? ["assigned", "running"] : ["assigned"]
                try await conn.query(
                    """
                    UPDATE jobs SET desired_state = 'stopped', updated_at = now()
                    WHERE sweep_id = \(current.id) AND status = ANY(\(held))
                    """, logger: logger)
            case .resume:
                // Every chunk not done runs (again): stopped by a pause or a cancel, or failed.
                try await conn.query(
                    """
                    UPDATE jobs SET status = 'pending', desired_state = 'running', last_error = NULL,
                        finished_at = NULL, updated_at = now()
                    WHERE sweep_id = \(current.id) AND status IN ('stopped', 'failed')
                    """, logger: logger)
                try await conn.query(
                    """
                    UPDATE jobs SET desired_state = 'running', updated_at = now()
                    WHERE sweep_id = \(current.id) AND status IN ('assigned', 'running')
                    """, logger: logger)
            }
            try await recordEvent(
                conn, job: nil, name: current.name, actor: actor, kind: "sweep_\(action.rawValue)", detail: "")
            return try await sweep(id: current.id, on: conn)
        }
    }

    /// Removes a sweep, its chunks and their records; refused while a chunk runs (cancel first).
    public func deleteSweep(_ ref: String, actor: String) async throws -> SweepRecord {
        let current = try await sweep(ref)
        return try await transaction { conn in
            _ = try await lockSweep(current, ref, on: conn)
            let running = try await conn.query(
                "SELECT count(*) FROM jobs WHERE sweep_id = \(current.id) AND status IN ('assigned', 'running')",
                logger: logger)
            let n = try await running.decode(Int64.self).first(where: { _ in true }) ?? 0
            guard n == 0 else {
                throw StoreError.conflict(
                    "sweep \"\(current.name)\" has \(n) chunks running: cancel it (ats sweep cancel) and wait for them")
            }
            try await conn.query("DELETE FROM sweep_results WHERE sweep_id = \(current.id)", logger: logger)
            try await conn.query("DELETE FROM jobs WHERE sweep_id = \(current.id)", logger: logger)
            try await conn.query("DELETE FROM sweeps WHERE id = \(current.id)", logger: logger)
            try await recordEvent(
                conn, job: nil, name: current.name, actor: actor, kind: "sweep_removed",
                detail: "\(current.trialsDone) of \(current.trials) trials done")
            return current
        }
    }

    /// Locks a sweep for an operator's change, then its chunks not completed in id order (the
    /// order every transaction locks job rows in), and returns its state. `FOR NO KEY UPDATE`:
    /// a chunk completing meanwhile (its records' key share on the sweep) is not held up.
    private func lockSweep(_ sweep: SweepRecord, _ ref: String, on conn: PostgresConnection) async throws -> String {
        let locked = try await conn.query(
            "SELECT state FROM sweeps WHERE id = \(sweep.id) FOR NO KEY UPDATE", logger: logger)
        guard let state = try await locked.decode(String.self).first(where: { _ in true }) else {
            throw StoreError.notFound("no sweep \"\(ref)\"")
        }
        try await conn.query(
            "SELECT id FROM jobs WHERE sweep_id = \(sweep.id) AND status <> 'completed' ORDER BY id FOR UPDATE",
            logger: logger)
        return state
    }

    /// Stores a completed chunk's records, in the transaction that completed its job under the
    /// epoch `m` carries (``finished(_:worker:on:)``): written once per chunk.
    /// The worker's software version goes with them (``sweepEngines(sweep:)``).
    func storeChunkRecords(_ m: JobFinished, chunk: SweepChunkSpec, worker: String, on conn: PostgresConnection)
        async throws
    {
        try await conn.query(
            """
            INSERT INTO sweep_results (sweep_id, chunk, job_id, epoch, trials, records, engine)
            VALUES (\(chunk.sweep), \(Int32(chunk.chunk)), \(m.header.jobId), \(m.header.epoch), \(Int32(chunk.trials)),
                \(ByteBuffer(bytes: m.trials)), (SELECT version FROM workers WHERE id = \(worker)))
            ON CONFLICT (sweep_id, chunk) DO NOTHING
            """, logger: logger)
    }

    /// The software versions a sweep's stored chunks ran on, with how many chunks each (more than
    /// one: a rolling upgrade mixed engines in its leaderboard).
    public func sweepEngines(sweep id: Int64) async throws -> [(engine: String, chunks: Int)] {
        let rows = try await client.query(
            """
            SELECT coalesce(engine, 'unknown'), count(*) FROM sweep_results WHERE sweep_id = \(id)
            GROUP BY 1 ORDER BY 2 DESC, 1
            """, logger: logger)
        var out: [(engine: String, chunks: Int)] = []
        for try await (engine, n) in rows.decode((String, Int64).self) { out.append((engine, Int(n))) }
        return out
    }

    /// Why a chunk's records are not its trials' (nil: they are): unreadable, another plan's, or
    /// not exactly the chunk's trials in order.
    public static func chunkProblem(_ bytes: [UInt8], _ chunk: SweepChunkSpec) -> String? {
        if case .failure(let problem) = chunkOutcomes(bytes, chunk) { return problem.description }
        return nil
    }

    /// A refusal of a chunk's records, in words.
    struct ChunkProblem: Error, CustomStringConvertible {
        var description: String
    }

    /// The chunk's trials read from its records, or why they are not its trials.
    static func chunkOutcomes(_ bytes: [UInt8], _ chunk: SweepChunkSpec) -> Result<[TrialOutcome], ChunkProblem> {
        guard let byIndex = chunk.parametersByIndex else {
            return .failure(ChunkProblem(description: "the chunk's definition does not hold its trials"))
        }
        let outcomes: [TrialOutcome]
        do { outcomes = try TrialRecords.decode(bytes) { byIndex[$0] } } catch {
            return .failure(ChunkProblem(description: error.description))
        }
        guard outcomes.count == chunk.trials else {
            return .failure(ChunkProblem(description: "\(outcomes.count) trials where the chunk holds \(chunk.trials)"))
        }
        // What the report's PBO reads: the same blocks for every trial.
        guard
            outcomes.allSatisfy({
                $0.blockCounts.count == TrialEvaluation.blocks && $0.blockCounts.allSatisfy { $0.isFinite && $0 >= 0 }
            })
        else {
            return .failure(ChunkProblem(description: "trials kept over other than \(TrialEvaluation.blocks) blocks"))
        }
        // With walk-forward, the segments of the folds over the span the worker's data covers.
        let segments: Int
        if let walkForward = chunk.walkForward {
            guard let span = try? TrialRecords.span(bytes), walkForward.problem(over: span) == nil else {
                return .failure(ChunkProblem(description: "no span the sweep's walk-forward can fold"))
            }
            segments = max(0, WalkForward.boundaries(walkForward.folds(first: span.first, end: span.end)).count - 1)
        } else {
            segments = 0
        }
        guard outcomes.allSatisfy({ $0.segments.count == segments }) else {
            return .failure(
                ChunkProblem(
                    description: "trials kept over other than the \(segments) segments of the sweep's walk-forward"))
        }
        let indices = outcomes.map(\.index)
        guard indices.allSatisfy({ (chunk.first..<chunk.end).contains($0) }),
            zip(indices, indices.dropFirst()).allSatisfy(<)
        else {
            return .failure(
                ChunkProblem(description: "trials outside candidates \(chunk.first)..<\(chunk.end) or out of order"))
        }
        return .success(outcomes)
    }

    /// What the research ledger counts a search under: the strategy, and the data's hash (or its
    /// file, `file:PATH`, for a sweep on a file of the workers).
    public struct LedgerKey: Sendable, Hashable {
        public var strategy: String
        public var data: String

        public init(strategy: String, data: String) {
            self.strategy = strategy
            self.data = data
        }

        public init(_ spec: SweepSpec) {
            self.init(strategy: spec.run.strategy.namespace, data: spec.data.hash ?? "file:\(spec.data.path)")
        }
    }

    /// A ledger row: every trial run on one strategy and data, across sweeps.
    public struct LedgerRow: Sendable, Hashable {
        public var sweeps: Int64
        public var trials: Int64
        public var ran: Int64
        public var sharpeSum: Double
        public var sharpeSquares: Double
    }

    /// Adds a completed chunk's trials (all counted; the Sharpe ratios of those that ran) to the
    /// ledger, in the chunk's completing transaction: once per chunk, like its records.
    /// `spread`: whether their Sharpe ratios count for V (not an early-stopping sweep's trials
    /// beyond its pilots: the survivors of a filter).
    func addToLedger(_ key: LedgerKey, outcomes: [TrialOutcome], spread: Bool = true, on conn: PostgresConnection)
        async throws
    {
        let sharpes =
            spread ? outcomes.filter { $0.statistics != nil }.map(\.moments.sharpe).filter(\.isFinite) : []
        let sum = sharpes.reduce(0, +)
        let squares = sharpes.reduce(0) { $0 + $1 * $1 }
        try await conn.query(
            """
            INSERT INTO research_ledger (strategy, data, trials, ran, sharpe_sum, sharpe_squares)
            VALUES (\(key.strategy), \(key.data), \(Int64(outcomes.count)), \(Int64(sharpes.count)), \(sum), \(squares))
            ON CONFLICT (strategy, data) DO UPDATE SET trials = research_ledger.trials + EXCLUDED.trials,
                ran = research_ledger.ran + EXCLUDED.ran, sharpe_sum = research_ledger.sharpe_sum + EXCLUDED.sharpe_sum,
                sharpe_squares = research_ledger.sharpe_squares + EXCLUDED.sharpe_squares, updated_at = now()
            """, logger: logger)
    }

    /// The ledger's row for a strategy and data (nil: no trial run on them yet).
    public func ledger(_ key: LedgerKey) async throws -> LedgerRow? {
        let rows = try await client.query(
            """
            SELECT sweeps, trials, ran, sharpe_sum, sharpe_squares FROM research_ledger
            WHERE strategy = \(key.strategy) AND data = \(key.data)
            """, logger: logger)
        for try await r in rows.decode((Int64, Int64, Int64, Double, Double).self) {
            return LedgerRow(sweeps: r.0, trials: r.1, ran: r.2, sharpeSum: r.3, sharpeSquares: r.4)
        }
        return nil
    }

    /// Every row of the research ledger, by strategy then data, with the data set's name where the
    /// data is a registered set's.
    public func ledgerEntries() async throws -> [ResearchLedgerEntry] {
        let rows = try await client.query(
            """
            SELECT l.strategy, l.data, d.name, l.sweeps, l.trials, l.ran, l.sharpe_sum, l.sharpe_squares, l.updated_at
            FROM research_ledger l LEFT JOIN datasets d ON d.hash = l.data
            ORDER BY l.strategy, l.data
            """, logger: logger)
        var out: [ResearchLedgerEntry] = []
        for try await r in rows.decode((String, String, String?, Int64, Int64, Int64, Double, Double, Date).self) {
            out.append(Self.ledgerEntry(r))
        }
        return out
    }

    /// Forgets the trials run on a strategy and data (a new research programme, a data set
    /// corrected), recorded in the audit trail with the counts that went; the next sweep on them
    /// starts the count again. Not found: no such row.
    public func resetLedger(strategy: String, data: String, actor: String) async throws -> ResearchLedgerEntry {
        try await transaction { conn in
            // A sweep still adding to the row would count from its next chunk alone, and deflate
            // its own best by fewer trials than it ran.
            let busy = try await conn.query(
                """
                SELECT s.name FROM sweeps s WHERE s.state IN ('running', 'paused')
                    AND (SELECT count(*) FROM sweep_results r WHERE r.sweep_id = s.id) < s.chunks
                    AND s.spec->'strategy'->>'namespace' = \(strategy)
                    AND coalesce(s.spec->'data'->>'hash', 'file:' || (s.spec->'data'->>'path')) = \(data)
                ORDER BY s.id LIMIT 5 FOR SHARE OF s
                """, logger: logger)
            var names: [String] = []
            for try await name in busy.decode(String.self) { names.append(name) }
            guard names.isEmpty else {
                throw StoreError.conflict(
                    "sweeps on \(strategy) and this data are not finished (\(names.joined(separator: ", "))): "
                        + "cancel or finish them first")
            }
            let rows = try await conn.query(
                """
                DELETE FROM research_ledger l WHERE l.strategy = \(strategy) AND l.data = \(data)
                RETURNING l.strategy, l.data, (SELECT d.name FROM datasets d WHERE d.hash = l.data), l.sweeps, l.trials,
                    l.ran, l.sharpe_sum, l.sharpe_squares, l.updated_at
                """, logger: logger)
            for try await r in rows.decode((String, String, String?, Int64, Int64, Int64, Double, Double, Date).self) {
                let entry = Self.ledgerEntry(r)
                try await recordEvent(
                    conn, job: nil, name: "", actor: actor, kind: "research_ledger_reset",
                    detail:
                        "\(strategy) on \(entry.dataName ?? data): \(entry.trials) trials in \(entry.sweeps) sweeps forgotten"
                )
                return entry
            }
            throw StoreError.notFound(
                "the research ledger has no row for \(strategy) on \(data) (ats sweep ledger lists them)")
        }
    }

    static func ledgerEntry(_ r: (String, String, String?, Int64, Int64, Int64, Double, Double, Date))
        -> ResearchLedgerEntry
    {
        let n = Double(r.5)
        let mean = n > 0 ? r.6 / n : 0
        let variance = n > 1 ? max(0, (r.7 - r.6 * r.6 / n) / (n - 1)) : 0
        return ResearchLedgerEntry(
            strategy: r.0, data: r.1, dataName: r.2, sweeps: r.3, trials: r.4, ran: r.5, sharpeMean: mean,
            sharpeStandardDeviation: variance.squareRoot(), updatedAt: r.8)
    }

    /// The rows a sweep is read from: its definition, and how far its chunks are.
    static let sweepColumns = """
        s.id, s.name, s.state, s.trials, s.chunks, s.created_by, s.created_at, s.spec::text,
        (SELECT count(*) FROM sweep_results r WHERE r.sweep_id = s.id),
        (SELECT coalesce(sum(r.trials), 0)::int8 FROM sweep_results r WHERE r.sweep_id = s.id),
        (SELECT max(r.stored_at) FROM sweep_results r WHERE r.sweep_id = s.id),
        (SELECT count(*) FROM jobs j WHERE j.sweep_id = s.id AND j.status IN ('assigned', 'running')),
        (SELECT count(*) FROM jobs j WHERE j.sweep_id = s.id AND j.status = 'failed')
        """

    static func sweepRecords(_ rows: PostgresRowSequence) async throws -> [SweepRecord] {
        var out: [SweepRecord] = []
        for try await r in rows.decode(
            (Int64, String, String, Int64, Int64, String, Date, String, Int64, Int64, Date?, Int64, Int64).self)
        {
            let done = r.8 == r.4
            out.append(
                SweepRecord(
                    id: r.0, name: r.1, state: done ? "completed" : r.2, trials: r.3, chunks: r.4, chunksDone: r.8,
                    trialsDone: r.9, chunksRunning: r.11, chunksFailed: r.12, createdBy: r.5, createdAt: r.6,
                    finishedAt: done ? r.10 : nil, spec: try? SweepSpec.decode(json: Data(r.7.utf8))))
        }
        return out
    }
}
