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
    /// Asks the next batch of every running Bayesian sweep whose chunks so far are all done (the
    /// leader, on each scheduling pass); returns the chunks stored.
    @discardableResult
    public func askSweepBatches() async throws -> Int {
        let rows = try await client.query(
            """
            SELECT s.id FROM sweeps s
            WHERE s.state = 'running' AND s.spec->>'search' = 'tpe'
                AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.sweep_id = s.id AND j.status <> 'completed')
                AND (SELECT count(*) FROM jobs j WHERE j.sweep_id = s.id) < s.chunks
            """, logger: logger)
        var due: [Int64] = []
        for try await id in rows.decode(Int64.self) { due.append(id) }
        var stored = 0
        for id in due { stored += try await askNextBatch(sweep: id) }
        return stored
    }

    /// Asks and stores sweep `id`'s next batch, under the sweep's lock (two leaders for a moment
    /// store it once: the second finds it asked). Returns the chunks stored (0: nothing due).
    func askNextBatch(sweep id: Int64) async throws -> Int {
        try await transaction { conn in
            let locked = try await conn.query(
                "SELECT state, spec::text, chunks, created_by FROM sweeps WHERE id = \(id) FOR NO KEY UPDATE",
                logger: logger)
            guard
                let (state, text, total, actor) = try await locked.decode((String, String, Int64, String).self)
                    .first(where: { _ in true }), state == "running"
            else { return 0 }
            let spec = try SweepSpec.decode(json: Data(text.utf8))
            // Every chunk so far, in number order: its job's definition and whether it is done.
            let rows = try await conn.query(
                """
                SELECT spec::text, status = 'completed' FROM jobs WHERE sweep_id = \(id)
                ORDER BY (spec->'sweep'->>'chunk')::int
                """, logger: logger)
            var jobs: [JobSpec] = []
            for try await (json, done) in rows.decode((String, Bool).self) {
                guard done else { return 0 }
                jobs.append(try JobSpec.decode(json: Data(json.utf8)))
            }
            guard let base = jobs.first, let firstChunk = base.sweep, Int64(jobs.count) < total,
                let asked = jobs.last?.sweep?.end, asked < spec.plan.trials
            else { return 0 }
            let records = try await conn.query(
                "SELECT records FROM sweep_results WHERE sweep_id = \(id) ORDER BY chunk", logger: logger)
            var bytes: [[UInt8]] = []
            for try await b in records.decode(ByteBuffer.self) { bytes.append(Array(buffer: b)) }
            let chunks = jobs.compactMap(\.sweep)
            let size = firstChunk.end - firstChunk.first
            let batch = spec.plan.batch(startingAt: asked)
            // Decoding every trial so far and asking (milliseconds to a second): off the
            // cooperative threads.
            let stored = bytes
            let asks = try await NIOThreadPool.singleton.runIfActive {
                () throws -> [(index: Int, parameters: [String: ParameterValue])]? in
                let points = Self.askedPoints(chunks)
                var history: [TrialOutcome] = []
                for b in stored { history += try TrialRecords.decode(b) { points[$0] } }
                return spec.plan.asks(batch, after: history, objective: spec.objective)
            }
            guard let asks else {
                throw StoreError.conflict("sweep \(spec.name): the condition refused every draw of an ask")
            }
            var specs: [SweepChunkSpec] = []
            for first in stride(from: batch.lowerBound, to: batch.upperBound, by: max(1, size)) {
                let end = min(batch.upperBound, first + max(1, size))
                specs.append(
                    SweepChunkSpec(
                        sweep: id, chunk: chunks.count + specs.count,
                        range: SweepPlan.Chunk(first: first, end: end, trials: end - first), plan: spec.plan,
                        walkForward: spec.walkForward,
                        points: asks[(first - batch.lowerBound)..<(end - batch.lowerBound)].map(\.parameters)))
            }
            let config = String(decoding: try JSONCoding.encoder().encode(base.run.strategy.config), as: UTF8.self)
            try await insertChunks(specs, of: base, sweep: spec.name, config: config, actor: actor, on: conn)
            logger.info(
                "sweep batch asked",
                metadata: ["sweep": "\(spec.name)", "trials": "\(batch.lowerBound)..<\(batch.upperBound)"])
            return specs.count
        }
    }

    /// A Bayesian sweep's asked trials by number (nil for a grid or random sweep: the plan gives
    /// every trial's parameters).
    public func sweepPoints(_ sweep: SweepRecord) async throws -> [Int: [String: ParameterValue]]? {
        guard sweep.spec?.plan.search == .tpe else { return nil }
        let rows = try await client.query(
            "SELECT (spec->'sweep')::text FROM jobs WHERE sweep_id = \(sweep.id)", logger: logger)
        var chunks: [SweepChunkSpec] = []
        for try await text in rows.decode(String.self) {
            chunks.append(try JSONDecoder().decode(SweepChunkSpec.self, from: Data(text.utf8)))
        }
        return Self.askedPoints(chunks)
    }

    /// The trials `chunks` hold, by number, with their parameters.
    static func askedPoints(_ chunks: [SweepChunkSpec]) -> [Int: [String: ParameterValue]] {
        var out: [Int: [String: ParameterValue]] = [:]
        for chunk in chunks { for p in chunk.trialPoints ?? [] { out[p.index] = p.parameters } }
        return out
    }
}
