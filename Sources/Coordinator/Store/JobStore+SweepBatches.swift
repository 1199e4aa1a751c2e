import ATSEngine
import ATSShared
import Foundation
import NIOPosix
import PostgresNIO

/// Bayesian sweeps (docs/SWEEPS.md, "Bayesian search"): trials are asked in batches, each of a
/// ``TreeParzenEstimator`` built from every trial of the batches before it, and stored with their
/// chunks before any worker sees them. The leader asks a running sweep's next batch once every
/// chunk so far is done; the state it asks from is only what PostgreSQL holds (the stored asks and
/// the stored records), so a new leader asks exactly what the old one would have.
extension JobStore {
    /// A sweep whose next batch cannot be asked, ever (it is paused, saying why).
    struct AskRefused: Error, CustomStringConvertible {
        var description: String
    }

    /// Asks the next batch of every running Bayesian sweep whose chunks so far are all done (the
    /// leader's asker, beside the scheduling passes); returns the chunks stored. One sweep's
    /// failure holds up no other: a transient one is tried again on the next call, one that will
    /// never pass pauses its sweep with the reason as an event.
    @discardableResult
    public func askSweepBatches() async throws -> Int {
        let rows = try await client.query(
            """
            SELECT s.id, s.name FROM sweeps s
            WHERE s.state = 'running' AND (s.spec->>'search' = 'tpe' OR s.spec ? 'early_stop')
                AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.sweep_id = s.id AND j.status <> 'completed')
                AND (SELECT count(*) FROM jobs j WHERE j.sweep_id = s.id) < s.chunks
            ORDER BY s.id
            """, logger: logger)
        var due: [(Int64, String)] = []
        for try await row in rows.decode((Int64, String).self) { due.append(row) }
        var stored = 0
        for (id, name) in due {
            do {
                stored += try await askNextBatch(sweep: id)
            } catch let refused as AskRefused {
                logger.error(
                    "a sweep's next batch cannot be asked", metadata: ["sweep": "\(name)", "why": "\(refused)"])
                try await transaction { conn in
                    try await conn.query(
                        "UPDATE sweeps SET state = 'paused', updated_at = now() WHERE id = \(id) AND state = 'running'",
                        logger: logger)
                    try await recordEvent(
                        conn, job: nil, name: name, actor: "coordinator", kind: "sweep_pause",
                        detail: "its next batch cannot be asked: \(refused.description)")
                }
            } catch {
                logger.warning(
                    "asking a sweep's next batch failed", metadata: ["sweep": "\(name)", "error": "\(error)"])
            }
        }
        return stored
    }

    /// What a sweep's next batch is asked from, read without a lock (every chunk is done, so none
    /// of it changes; the insert checks the chunks are still those).
    struct BatchSnapshot: Sendable {
        var spec: SweepSpec
        var base: JobSpec
        var actor: String
        var chunks: Int
        /// The chunks the sweep was created to have in all.
        var total: Int
        var asked: Int
        var size: Int
        var points: [(first: Int, text: String)]
        var records: [[UInt8]]
    }

    /// Asks and stores sweep `id`'s next batch. The asking (decoding every trial so far, the
    /// estimator) runs outside any transaction on the thread pool; the batch is then stored under
    /// the sweep's row lock only if the sweep is still running with the same chunks, all done (two
    /// leaders for a moment store it once). Returns the chunks stored (0: nothing due).
    func askNextBatch(sweep id: Int64) async throws -> Int {
        guard let snapshot = try await batchSnapshot(sweep: id) else { return 0 }
        let specs = try await NIOThreadPool.singleton.runIfActive {
            try Self.nextChunks(sweep: id, snapshot)
        }
        guard !specs.isEmpty else { return 0 }
        let config = String(
            decoding: try JSONCoding.encoder().encode(snapshot.base.run.strategy.config), as: UTF8.self)
        return try await transaction { conn in
            let locked = try await conn.query(
                "SELECT state FROM sweeps WHERE id = \(id) FOR NO KEY UPDATE", logger: logger)
            guard try await locked.decode(String.self).first(where: { _ in true }) == "running" else { return 0 }
            let counts = try await conn.query(
                """
                SELECT count(*), count(*) FILTER (WHERE status = 'completed'),
                    (SELECT count(*) FROM sweep_results WHERE sweep_id = \(id))
                FROM jobs WHERE sweep_id = \(id)
                """, logger: logger)
            guard
                let (all, done, stored) = try await counts.decode((Int64, Int64, Int64).self).first(where: { _ in true }
                ),
                all == snapshot.chunks, done == all, stored == all
            else { return 0 }
            try await insertChunks(
                specs, of: snapshot.base, sweep: snapshot.spec.name, config: config, actor: snapshot.actor, on: conn)
            logger.info(
                "sweep batch stored",
                metadata: [
                    "sweep": "\(snapshot.spec.name)", "chunks": "\(specs.count)",
                    "trials": "\(specs.reduce(0) { $0 + $1.trials })",
                ])
            return specs.count
        }
    }

    /// The chunks that follow the ones done: a Bayesian sweep's next batch, asked of every trial so
    /// far; an early-stopping sweep's every other chunk, held to the rule its pilots make.
    static func nextChunks(sweep id: Int64, _ snapshot: BatchSnapshot) throws -> [SweepChunkSpec] {
        let spec = snapshot.spec
        if let earlyStop = spec.earlyStop {
            var pilots: [TrialOutcome] = []
            for b in snapshot.records { pilots += try TrialRecords.decode(b, plan: spec.plan) }
            var folds: [WalkForward.Fold] = []
            if let b = snapshot.records.first, let walkForward = spec.walkForward {
                let span = try TrialRecords.span(b)
                folds = walkForward.folds(first: span.first, end: span.end)
            }
            let rule = earlyStop.rule(pilots: pilots, folds: folds, objective: spec.objective)
            let chosen = spec.plan.pilots(earlyStop)
            let cut = try spec.plan.chunks(trialsPerChunk: spec.chunkTrials, pilots: chosen, tail: spec.tailSlots ?? 0)
            // Cut otherwise than at creation (its chunk count is the pilots' and these together),
            // the sweep would never complete, or run trials twice: refused, it pauses saying why.
            guard snapshot.chunks + cut.chunks.count == snapshot.total else {
                throw AskRefused(
                    description:
                        "its chunks after the pilots cut into \(cut.chunks.count), not the \(snapshot.total - snapshot.chunks) it was created with (a coordinator of another release?)"
                )
            }
            return cut.chunks.enumerated().map { k, range in
                var chunk = SweepChunkSpec(
                    sweep: id, chunk: snapshot.chunks + k, range: range, plan: spec.plan, walkForward: spec.walkForward)
                chunk.pilots = chosen
                chunk.stop = rule
                return chunk
            }
        }
        guard snapshot.asked < spec.plan.trials else { return [] }
        let batch = spec.plan.batch(startingAt: snapshot.asked)
        let points = try Self.askedPoints(snapshot.points, plan: spec.plan)
        var history: [TrialOutcome] = []
        for b in snapshot.records { history += try TrialRecords.decode(b) { points[$0] } }
        guard let asks = spec.plan.asks(batch, after: history, objective: spec.objective) else {
            throw AskRefused(
                description: "the condition refused every draw of trial \(batch.lowerBound)'s ask (1,000 draws)")
        }
        var specs: [SweepChunkSpec] = []
        let size = max(1, snapshot.size)
        for first in Swift.stride(from: batch.lowerBound, to: batch.upperBound, by: size) {
            let end = min(batch.upperBound, first + size)
            specs.append(
                SweepChunkSpec(
                    sweep: id, chunk: snapshot.chunks + specs.count,
                    range: SweepPlan.Chunk(first: first, end: end, trials: end - first), plan: spec.plan,
                    walkForward: spec.walkForward,
                    points: asks[(first - batch.lowerBound)..<(end - batch.lowerBound)].map(\.parameters)))
        }
        return specs
    }

    /// Sweep `id`'s state to ask its next batch from (nil: not running, a chunk not done, or every
    /// trial asked).
    func batchSnapshot(sweep id: Int64) async throws -> BatchSnapshot? {
        let sweeps = try await client.query(
            "SELECT state, spec::text, chunks, created_by FROM sweeps WHERE id = \(id)", logger: logger)
        guard
            let (state, text, total, actor) = try await sweeps.decode((String, String, Int64, String).self)
                .first(where: { _ in true }), state == "running"
        else { return nil }
        let spec: SweepSpec
        do { spec = try SweepSpec.decode(json: Data(text.utf8)) } catch {
            throw AskRefused(description: "its definition cannot be read: \(error)")
        }
        // Each chunk's first trial, end and asked points (not its whole definition: one plan is enough).
        let rows = try await client.query(
            """
            SELECT (spec->'sweep'->>'first')::int8, (spec->'sweep'->>'end')::int8, (spec->'sweep'->'points')::text,
                status = 'completed'
            FROM jobs WHERE sweep_id = \(id) ORDER BY (spec->'sweep'->>'chunk')::int
            """, logger: logger)
        var points: [(first: Int, text: String)] = []
        var asked = 0
        var size = 0
        for try await (first, end, text, done) in rows.decode((Int64, Int64, String?, Bool).self) {
            guard done else { return nil }
            if points.isEmpty { size = Int(end - first) }
            points.append((Int(first), text ?? "null"))
            asked = max(asked, Int(end))
        }
        guard !points.isEmpty, Int64(points.count) < total else { return nil }
        let first = try await client.query(
            """
            SELECT spec::text FROM jobs WHERE sweep_id = \(id) AND (spec->'sweep'->>'chunk')::int = 0
            """, logger: logger)
        guard let baseText = try await first.decode(String.self).first(where: { _ in true }) else { return nil }
        let base = try JobSpec.decode(json: Data(baseText.utf8))
        let records = try await client.query(
            "SELECT records FROM sweep_results WHERE sweep_id = \(id) ORDER BY chunk", logger: logger)
        var bytes: [[UInt8]] = []
        for try await b in records.decode(ByteBuffer.self) { bytes.append(Array(buffer: b)) }
        return BatchSnapshot(
            spec: spec, base: base, actor: actor, chunks: points.count, total: Int(total), asked: asked, size: size,
            points: points,
            records: bytes)
    }

    /// A Bayesian sweep's asked trials by number (nil for a grid or random sweep: the plan gives
    /// every trial's parameters).
    public func sweepPoints(_ sweep: SweepRecord) async throws -> [Int: [String: ParameterValue]]? {
        guard let plan = sweep.spec?.plan, plan.search == .tpe else { return nil }
        let rows = try await client.query(
            """
            SELECT (spec->'sweep'->>'first')::int8, (spec->'sweep'->'points')::text FROM jobs
            WHERE sweep_id = \(sweep.id)
            """, logger: logger)
        var points: [(first: Int, text: String)] = []
        for try await (first, text) in rows.decode((Int64, String?).self) {
            points.append((Int(first), text ?? "null"))
        }
        return try Self.askedPoints(points, plan: plan)
    }

    /// The trials of chunks (each its first trial and its points as JSON), by number, each value
    /// in its parameter's kind (``ParameterSpace/normalized(_:)``).
    static func askedPoints(
        _ chunks: [(first: Int, text: String)], plan: SweepPlan
    ) throws -> [Int: [String: ParameterValue]] {
        var out: [Int: [String: ParameterValue]] = [:]
        let decoder = JSONDecoder()
        for (first, text) in chunks {
            guard let points = try decoder.decode([[String: ParameterValue]]?.self, from: Data(text.utf8)) else {
                continue
            }
            for (k, p) in points.enumerated() { out[first + k] = plan.space.normalized(p) }
        }
        return out
    }
}
