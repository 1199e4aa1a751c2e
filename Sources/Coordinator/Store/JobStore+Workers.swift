import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// What the worker protocol does to the database: registration, leases, assignment, and the
/// messages workers stream back, fenced by epoch.
extension JobStore {
    public struct Assignment: Sendable {
        public var jobId: Int64
        public var epoch: Int64
        public var name: String
        public var spec: [UInt8]
        public var checkpoint: [UInt8]
    }

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

    /// Renews every lease the worker holds.
    public func heartbeat(worker: String) async throws {
        try await transaction { conn in
            try await conn.query("UPDATE workers SET last_heartbeat_at = now() WHERE id = \(worker)", logger: logger)
            try await conn.query(
                """
                UPDATE jobs SET lease_expires_at = now() + make_interval(secs => \(leaseSeconds))
                WHERE lease_owner = \(worker) AND status IN ('assigned', 'running')
                """, logger: logger)
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
    @discardableResult
    public func reapExpiredLeases(sparing connected: [String] = []) async throws -> [Int64] {
        try await transaction { conn in
            try await release(
                conn, where: "lease_expires_at < now() AND NOT (lease_owner = ANY($1))", nil, kind: "lease_expired",
                names: connected)
        }
    }

    private func release(
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
                    UPDATE jobs SET status = CASE WHEN desired_state = 'running' THEN 'pending' ELSE 'stopped' END,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                    WHERE status IN ('assigned', 'running') AND \(condition)
                    RETURNING id, name, status
                    """, binds: binds), logger: logger)
        var released: [(Int64, String, String)] = []
        for try await r in rows.decode((Int64, String, String).self) { released.append(r) }
        for (id, name, status) in released {
            try await recordEvent(
                conn, job: id, name: name, actor: worker.map { "worker:\($0)" } ?? "coordinator", kind: kind,
                detail: "now \(status)")
        }
        return released.map(\.0)
    }

    /// Pending jobs that want to run, oldest first.
    public func pendingJobs(limit: Int = 500) async throws -> [Scheduler.PendingJob] {
        let rows = try await client.query(
            """
            SELECT id, labels FROM jobs WHERE status = 'pending' AND desired_state = 'running' ORDER BY id LIMIT \(limit)
            """, logger: logger)
        var out: [Scheduler.PendingJob] = []
        for try await (id, labels) in rows.decode((Int64, [String]).self) { out.append(.init(id: id, labels: labels)) }
        return out
    }

    /// Assigns a pending job to a worker, incrementing its fencing epoch in the same transaction.
    /// Returns nil when the job is no longer pending (another coordinator, or an operator, was first).
    public func assign(job: Int64, to worker: String) async throws -> Assignment? {
        try await transaction { conn in
            let rows = try await conn.query(
                """
                UPDATE jobs SET status = 'assigned', epoch = epoch + 1, lease_owner = \(worker),
                    lease_expires_at = now() + make_interval(secs => \(leaseSeconds)), updated_at = now()
                WHERE id = \(job) AND status = 'pending' AND desired_state = 'running'
                RETURNING epoch, name, spec::text
                """, logger: logger)
            var assigned: (Int64, String, String)?
            for try await r in rows.decode((Int64, String, String).self) { assigned = r }
            guard let (epoch, name, spec) = assigned else { return nil }
            let cp = try await conn.query(
                "SELECT state FROM checkpoints WHERE job_id = \(job) ORDER BY cursor DESC LIMIT 1", logger: logger)
            var checkpoint: [UInt8] = []
            for try await var state in cp.decode(ByteBuffer.self) {
                checkpoint = state.readBytes(length: state.readableBytes) ?? []
            }
            try await recordEvent(
                conn, job: job, name: name, actor: "coordinator", kind: "assigned",
                detail: "worker \(worker), epoch \(epoch)\(checkpoint.isEmpty ? "" : ", from checkpoint")")
            return Assignment(jobId: job, epoch: epoch, name: name, spec: Array(spec.utf8), checkpoint: checkpoint)
        }
    }

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
        let rows = try await client.query(
            """
            SELECT id, epoch, lease_owner FROM jobs
            WHERE desired_state = 'stopped' AND status IN ('assigned', 'running') AND lease_owner IS NOT NULL
            """, logger: logger)
        var out: [(JobLease, String)] = []
        for try await (id, epoch, owner) in rows.decode((Int64, Int64, String).self) {
            out.append((JobLease(jobId: id, epoch: epoch), owner))
        }
        return out
    }

    // MARK: Worker messages

    public func started(_ m: JobStarted) async throws {
        try await transaction { conn in
            _ = try await conn.query(
                """
                UPDATE jobs SET status = 'running', bars_total = \(m.barsTotal), started_at = coalesce(started_at, now()),
                    updated_at = now()
                WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch) AND status = 'assigned'
                """, logger: logger)
        }
    }

    /// Inserts fills idempotently (unique by job and seq). Fills are facts: they are kept even when
    /// their epoch is stale, and that raises an event. Returns how many rows were new.
    @discardableResult
    public func insertFills(_ batch: FillBatch) async throws -> Int {
        let fills = batch.fills
        guard !fills.isEmpty else { return 0 }
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
        return try await transaction { conn in
            let rows = try await conn.query(
                """
                WITH ins AS (
                    INSERT INTO fills (job_id, epoch, seq, order_id, time_ms, bar_index, side, price, quantity, fee_base,
                        fee_quote, liquidity, tag)
                    SELECT \(h.jobId), \(h.epoch), * FROM unnest(\(seq)::int8[], \(order)::int8[], \(time)::int8[],
                        \(bar)::int8[], \(side)::text[], \(price)::float8[], \(quantity)::float8[], \(feeBase)::float8[],
                        \(feeQuote)::float8[], \(liquidity)::text[], \(tag)::text[])
                    WHERE EXISTS (SELECT 1 FROM jobs WHERE id = \(h.jobId))
                    ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*), (SELECT epoch FROM jobs WHERE id = \(h.jobId)) FROM ins
                """, logger: logger)
            var inserted = 0
            var current: Int64?
            for try await (n, epoch) in rows.decode((Int64, Int64?).self) {
                inserted = Int(n)
                current = epoch
            }
            if inserted > 0, current != h.epoch {
                try await recordEvent(
                    conn, job: h.jobId, name: "", actor: "coordinator", kind: "stale_fills",
                    detail: "\(inserted) fill(s) arrived under stale epoch \(h.epoch); kept")
                logger.warning("fills under a stale epoch", metadata: ["job": "\(h.jobId)", "epoch": "\(h.epoch)"])
            }
            return inserted
        }
    }

    /// Stores a checkpoint if its epoch is current. Returns whether it was kept.
    @discardableResult
    public func saveCheckpoint(_ m: CheckpointSaved) async throws -> Bool {
        let state = ByteBuffer(bytes: m.state)
        return try await transaction { conn in
            let rows = try await conn.query(
                """
                WITH ins AS (
                    INSERT INTO checkpoints (job_id, cursor, epoch, next_fill_seq, state)
                    SELECT \(m.header.jobId), \(m.cursor), \(m.header.epoch), \(m.nextFillSeq), \(state)
                    WHERE EXISTS (SELECT 1 FROM jobs WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch))
                    ON CONFLICT (job_id, cursor) DO NOTHING RETURNING 1)
                SELECT count(*) FROM ins
                """, logger: logger)
            for try await n in rows.decode(Int64.self) { return n > 0 }
            return false
        }
    }

    /// Progress and curve points of the current epoch (a stale one changes nothing). Points are
    /// keyed by bar: a replay after a resume writes the same ones again, which are skipped.
    public func progress(_ m: JobProgress) async throws {
        try await transaction { conn in
            if m.curve.isEmpty {
                try await conn.query(
                    """
                    UPDATE jobs SET bars_done = \(m.barsDone), bars_total = \(m.barsTotal), equity = \(m.equity), updated_at = now()
                    WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch) AND status IN ('assigned', 'running')
                    """, logger: logger)
                return
            }
            // One statement: the points go in only when the update found the job under this epoch.
            try await conn.query(
                """
                WITH current AS (
                    UPDATE jobs SET bars_done = \(m.barsDone), bars_total = \(m.barsTotal), equity = \(m.equity), updated_at = now()
                    WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch) AND status IN ('assigned', 'running')
                    RETURNING id)
                INSERT INTO job_curve (job_id, bar_index, time_ms, close, equity)
                SELECT current.id, p.* FROM current, unnest(\(m.curve.map(\.barIndex))::int8[], \(m.curve.map(\.timeMs))::int8[],
                    \(m.curve.map(\.close))::float8[], \(m.curve.map(\.equity))::float8[]) AS p
                ON CONFLICT (job_id, bar_index) DO NOTHING
                """, logger: logger)
        }
    }

    /// A job's sampled curve, in bar order.
    public func curve(job ref: String) async throws -> [CurvePoint] {
        let id = try await job(ref).id
        let rows = try await client.query(
            "SELECT bar_index, time_ms, close, equity FROM job_curve WHERE job_id = \(id) ORDER BY bar_index",
            logger: logger)
        var out: [CurvePoint] = []
        for try await (bar, time, close, equity) in rows.decode((Int64, Int64, Double, Double).self) {
            out.append(CurvePoint(barIndex: bar, timeMs: time, close: close, equity: equity))
        }
        return out
    }

    /// The job ended on its worker, or the worker gave it back (`released`: it goes back to
    /// pending, or to stopped when an operator asked for that, and resumes from its checkpoint).
    /// Returns false when the epoch was stale (nothing changed).
    @discardableResult
    public func finished(_ m: JobFinished, worker: String) async throws -> Bool {
        if m.outcome == .released {
            return try await transaction { conn in
                var binds = PostgresBindings()
                binds.append(worker)
                binds.append([m.header.jobId])
                binds.append(m.header.epoch)
                let released = try await release(
                    conn, where: "lease_owner = $1 AND id = ANY($2) AND epoch = $3", worker, kind: "released",
                    binds: binds)
                return !released.isEmpty
            }
        }
        let status = m.outcome == .completed ? "completed" : "stopped"
        let stats = String(decoding: m.statistics, as: UTF8.self)
        return try await transaction { conn in
            let rows = try await conn.query(
                """
                UPDATE jobs SET status = \(status), statistics = nullif(\(stats), '')::jsonb, finished_at = now(),
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
                    bars_done = CASE WHEN \(status) = 'completed' THEN bars_total ELSE bars_done END
                WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch) AND status IN ('assigned', 'running')
                RETURNING name
                """, logger: logger)
            for try await name in rows.decode(String.self) {
                try await recordEvent(
                    conn, job: m.header.jobId, name: name, actor: "worker:\(worker)", kind: status, detail: "")
                return true
            }
            return false
        }
    }

    @discardableResult
    public func failed(_ m: JobFailed, worker: String) async throws -> Bool {
        try await transaction { conn in
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
    }
}

extension JobStore {
    /// How many jobs are in each status.
    public func jobCounts() async throws -> [JobStatus: Int] {
        let rows = try await client.query("SELECT status, count(*) FROM jobs GROUP BY status", logger: logger)
        var out: [JobStatus: Int] = [:]
        for try await (status, n) in rows.decode((String, Int64).self) {
            if let s = JobStatus(rawValue: status) { out[s] = Int(n) }
        }
        return out
    }

    /// Active jobs that reported an equity.
    func activeEquities() async throws -> [(id: Int64, name: String, equity: Double)] {
        let rows = try await client.query(
            "SELECT id, name, equity FROM jobs WHERE status IN ('assigned', 'running') AND equity IS NOT NULL",
            logger: logger)
        var out: [(id: Int64, name: String, equity: Double)] = []
        for try await (id, name, equity) in rows.decode((Int64, String, Double).self) { out.append((id, name, equity)) }
        return out
    }

    /// Active jobs per worker, for free capacity.
    public func runningCounts() async throws -> [String: Int] {
        let rows = try await client.query(
            """
            SELECT lease_owner, count(*) FROM jobs WHERE status IN ('assigned', 'running') AND lease_owner IS NOT NULL
            GROUP BY lease_owner
            """, logger: logger)
        var out: [String: Int] = [:]
        for try await (owner, n) in rows.decode((String, Int64).self) { out[owner] = Int(n) }
        return out
    }
}
