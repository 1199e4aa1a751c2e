import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import Logging
import PostgresNIO

/// Every read and write of job state. Each state change is one SQL statement (or one
/// transaction) conditioned on the source statuses from ``JobStateMachine``, and writes its audit
/// event in the same transaction.
public struct JobStore: Sendable {
    public let client: PostgresClient
    let logger: Logger
    let leaseTimeout: Duration
    /// Every write checks this coordinator's term (``transaction(_:)``).
    public let leadership: Leadership
    let metrics: CoordinatorMetrics

    public init(
        client: PostgresClient, logger: Logger, leaseTimeout: Duration, leadership: Leadership,
        metrics: CoordinatorMetrics = CoordinatorMetrics()
    ) {
        self.client = client
        self.logger = logger
        self.leaseTimeout = leaseTimeout
        self.leadership = leadership
        self.metrics = metrics
    }

    var leaseSeconds: Double { leaseTimeout.seconds }

    static let jobColumns = """
        id, name, mode, labels, desired_state, status, epoch, lease_owner, lease_expires_at, bars_done, bars_total,
        equity, last_error, statistics::text, spec::text, created_at, updated_at, started_at, finished_at
        """

    typealias JobTuple = (
        Int64, String, String, [String], String, String, Int64, String?, Date?, Int64, Int64, Double?, String?, String?,
        String, Date, Date, Date?, Date?
    )

    static func record(_ t: JobTuple) throws -> JobRecord {
        let spec = try JSONCoding.decoder().decode(JobSpec.self, from: Data(t.14.utf8))
        let stats = try t.13.map { try JSONCoding.decoder().decode(BacktestStatistics.self, from: Data($0.utf8)) }
        return JobRecord(
            id: t.0, name: t.1, mode: t.2, labels: t.3, desiredState: DesiredState(rawValue: t.4) ?? .running,
            status: JobStatus(rawValue: t.5) ?? .pending, epoch: t.6, leaseOwner: t.7, leaseExpiresAt: t.8,
            barsDone: t.9,
            barsTotal: t.10, equity: t.11, lastError: t.12, statistics: stats, spec: spec, createdAt: t.15,
            updatedAt: t.16, startedAt: t.17, finishedAt: t.18)
    }

    /// Runs `body` in a transaction that first checks this coordinator still leads under its
    /// term: it key-share-locks the leader row, so a takeover (which changes the term, a key
    /// column) waits for the transaction and no write under an old term commits after a takeover,
    /// while the leader's own renewals (which change only the expiry) never wait for writes.
    /// Every write goes through here. An error thrown by `body` comes out as itself (PostgresNIO wraps it), so
    /// callers can match ``StoreError`` and SQL states.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        guard let term = leadership.term else { throw StoreError.notLeader }
        let started = ContinuousClock.now
        defer { metrics.transactionTime.record(duration: ContinuousClock.now - started) }
        do {
            return try await client.withTransaction(logger: logger) { conn in
                let rows = try await conn.query(
                    """
                    SELECT term FROM coordinator_leader WHERE id = 1 AND term = \(term) AND holder = \(leadership.instanceId)
                    FOR KEY SHARE
                    """, logger: logger)
                guard try await rows.decode(Int64.self).first(where: { _ in true }) != nil else {
                    leadership.lost(term: term)
                    throw StoreError.notLeader
                }
                return try await body(conn)
            }
        } catch let e as PostgresTransactionError {
            if let inner = e.closureError, e.rollbackError == nil { throw inner }
            throw e
        }
    }

    // MARK: Operator actions

    /// Stores a validated job as pending (desired running). Names are unique.
    public func create(_ spec: JobSpec, actor: String) async throws -> JobRecord {
        let json = String(decoding: spec.json(), as: UTF8.self)
        do {
            return try await transaction { conn in
                let rows = try await conn.query(
                    """
                    INSERT INTO jobs (name, mode, spec, labels, created_by) VALUES (\(spec.name), \(spec.mode.rawValue), \(json)::jsonb, \(spec.labels), \(actor))
                    RETURNING \(unescaped: Self.jobColumns)
                    """, logger: logger)
                var record: JobRecord?
                for try await t in rows.decode(JobTuple.self) { record = try Self.record(t) }
                guard let record else { throw StoreError.conflict("insert returned nothing") }
                try await recordEvent(
                    conn, job: record.id, name: record.name, actor: actor, kind: "created", detail: "")
                return record
            }
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict("a job named \"\(spec.name)\" already exists")
        }
    }

    /// Finds a job by numeric id or by name.
    public func job(_ ref: String) async throws -> JobRecord {
        let rows: PostgresRowSequence
        if let id = Int64(ref) {
            rows = try await client.query(
                "SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE id = \(id)", logger: logger)
        } else {
            rows = try await client.query(
                "SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE name = \(ref)", logger: logger)
        }
        for try await t in rows.decode(JobTuple.self) { return try Self.record(t) }
        throw StoreError.notFound("no job \"\(ref)\"")
    }

    public func jobs(status: JobStatus? = nil, limit: Int = 1000) async throws -> [JobRecord] {
        try await jobs(JobQuery(status: status, limit: limit)).jobs
    }

    /// One page of jobs and how many match the filter in all.
    public func jobs(_ q: JobQuery) async throws -> (jobs: [JobRecord], total: Int) {
        // Absent filters bind NULL, so one statement shape serves every filter.
        let pattern = q.search.map { text in
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            return "%\(escaped)%"
        }
        let filter: PostgresQuery = """
            (\(q.status?.rawValue)::text IS NULL OR status = \(q.status?.rawValue))
            AND (\(q.label)::text IS NULL OR \(q.label) = ANY(labels))
            AND (\(pattern)::text IS NULL OR name ILIKE \(pattern))
            """
        // The page's ids are picked first, over narrow rows: sorting whole rows would turn every
        // matching row's spec and statistics into text before the sort (10,000 jobs: 60 ms).
        let page = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.jobColumns) FROM jobs WHERE id IN (
                    SELECT id FROM jobs WHERE \(filter.sql)
                    ORDER BY \(q.orderBy) LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset)))
                ORDER BY \(q.orderBy)
                """,
            binds: filter.binds)
        var out: [JobRecord] = []
        for try await t in try await client.query(page, logger: logger).decode(JobTuple.self) {
            out.append(try Self.record(t))
        }
        // A count of its own: a window count on the page would sort every matching row.
        let count = PostgresQuery(unsafeSQL: "SELECT count(*) FROM jobs WHERE \(filter.sql)", binds: filter.binds)
        var total = 0
        for try await n in try await client.query(count, logger: logger).decode(Int64.self) { total = Int(n) }
        return (out, total)
    }

    /// Applies an operator request (start, stop, reload, delete) under a row lock.
    /// Returns the job after the change.
    public func request(
        _ event: JobStateMachine.Event, job ref: String, actor: String,
        newStrategyConfig: [String: ParameterValue]? = nil,
        registry: Registry
    ) async throws -> JobRecord {
        let current = try await job(ref)
        var reloaded = current.spec
        if event == .reloadRequested {
            reloaded.run.strategy.config = newStrategyConfig ?? [:]
            do { reloaded = try reloaded.normalized(with: registry) } catch { throw StoreError.invalid(error) }
        }
        let reloadedJSON = String(decoding: reloaded.json(), as: UTF8.self)
        return try await transaction { conn in
            let locked = try await conn.query(
                "SELECT status FROM jobs WHERE id = \(current.id) FOR UPDATE", logger: logger)
            var statusText: String?
            for try await s in locked.decode(String.self) { statusText = s }
            guard let statusText, let status = JobStatus(rawValue: statusText) else {
                throw StoreError.notFound("no job \"\(ref)\"")
            }
            let outcome = JobStateMachine.apply(event, to: status)
            if case .refused(let why) = outcome { throw StoreError.conflict(why) }
            switch event {
            case .stopRequested:
                let next = if case .transition(let s) = outcome { s.rawValue } else { status.rawValue }
                try await conn.query(
                    """
                    UPDATE jobs SET desired_state = 'stopped', status = \(next), updated_at = now(),
                        finished_at = CASE WHEN \(next) = 'stopped' THEN now() ELSE finished_at END
                    WHERE id = \(current.id)
                    """, logger: logger)
            case .startRequested:
                try await conn.query(
                    """
                    UPDATE jobs SET desired_state = 'running', status = 'pending', last_error = NULL, updated_at = now(),
                        finished_at = NULL
                    WHERE id = \(current.id)
                    """, logger: logger)
            case .reloadRequested:
                try await conn.query(
                    "UPDATE jobs SET spec = \(reloadedJSON)::jsonb, updated_at = now() WHERE id = \(current.id)",
                    logger: logger)
            case .deleteRequested:
                try await recordEvent(
                    conn, job: current.id, name: current.name, actor: actor, kind: "deleted", detail: "")
                try await conn.query("DELETE FROM jobs WHERE id = \(current.id)", logger: logger)
                return current
            default:
                throw StoreError.conflict("\(event) is not an operator request")
            }
            let kind: String =
                switch event {
                case .stopRequested: "stop_requested"
                case .startRequested: "start_requested"
                case .reloadRequested: "reloaded"
                default: "\(event)"
                }
            let detail =
                newStrategyConfig.map { String(decoding: try! JSONCoding.encoder().encode($0), as: UTF8.self) } ?? ""
            try await recordEvent(conn, job: current.id, name: current.name, actor: actor, kind: kind, detail: detail)
            let rows = try await conn.query(
                "SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE id = \(current.id)", logger: logger)
            for try await t in rows.decode(JobTuple.self) { return try Self.record(t) }
            throw StoreError.notFound("no job \"\(ref)\"")
        }
    }

    func recordEvent(_ conn: PostgresConnection, job: Int64?, name: String, actor: String, kind: String, detail: String)
        async throws
    {
        try await conn.query(
            "INSERT INTO job_events (job_id, job_name, actor, kind, detail) VALUES (\(job), \(name), \(actor), \(kind), \(detail))",
            logger: logger)
    }

    /// Records an event outside any other transaction.
    public func event(job: Int64?, name: String, actor: String, kind: String, detail: String) async throws {
        try await transaction { conn in
            try await recordEvent(conn, job: job, name: name, actor: actor, kind: kind, detail: detail)
        }
    }

    /// Audit events, oldest first: the latest `limit` ones, or with `after` the next `limit` ones
    /// whose id is greater (paging forward).
    public func events(job ref: String?, after: Int64? = nil, limit: Int = 200) async throws -> [JobEvent] {
        // Fixed query shapes (newest first without `after`, reversed below), so PostgreSQL walks
        // the (job_id, id) index or the primary key instead of sorting.
        let order = after == nil ? "DESC" : "ASC"
        let from = after ?? -1
        let rows: PostgresRowSequence
        if let ref {
            let id = try await job(ref).id
            rows = try await client.query(
                """
                SELECT id, job_id, job_name, at, actor, kind, detail FROM job_events WHERE job_id = \(id) AND id > \(from)
                ORDER BY id \(unescaped: order) LIMIT \(limit)
                """, logger: logger)
        } else {
            rows = try await client.query(
                """
                SELECT id, job_id, job_name, at, actor, kind, detail FROM job_events WHERE id > \(from)
                ORDER BY id \(unescaped: order) LIMIT \(limit)
                """, logger: logger)
        }
        var out: [JobEvent] = []
        for try await (id, jobId, name, at, actor, kind, detail) in rows.decode(
            (Int64, Int64?, String, Date, String, String, String).self)
        {
            out.append(JobEvent(id: id, jobId: jobId, jobName: name, at: at, actor: actor, kind: kind, detail: detail))
        }
        return after == nil ? out.reversed() : out
    }

    public func fills(job ref: String, after: Int64 = -1, limit: Int = 10_000) async throws -> [FillRow] {
        let id = try await job(ref).id
        let rows = try await client.query(
            """
            SELECT job_id, seq, epoch, order_id, time_ms, bar_index, side, price, quantity, fee_base, fee_quote, liquidity, tag
            FROM fills WHERE job_id = \(id) AND seq > \(after) ORDER BY seq LIMIT \(limit)
            """, logger: logger)
        var out: [FillRow] = []
        for try await t in rows.decode(
            (Int64, Int64, Int64, Int64, Int64, Int64, String, Double, Double, Double, Double, String, String).self)
        {
            out.append(
                FillRow(
                    jobId: t.0, seq: t.1, epoch: t.2, orderId: t.3, timeMs: t.4, barIndex: t.5, side: t.6, price: t.7,
                    quantity: t.8, feeBase: t.9, feeQuote: t.10, liquidity: t.11, tag: t.12))
        }
        return out
    }

    public func checkpoints(job ref: String) async throws -> [CheckpointRecord] {
        let id = try await job(ref).id
        let rows = try await client.query(
            """
            SELECT job_id, cursor, epoch, next_fill_seq, octet_length(state), created_at FROM checkpoints
            WHERE job_id = \(id) ORDER BY cursor
            """, logger: logger)
        var out: [CheckpointRecord] = []
        for try await t in rows.decode((Int64, Int64, Int64, Int64, Int, Date).self) {
            out.append(
                CheckpointRecord(jobId: t.0, cursor: t.1, epoch: t.2, nextFillSeq: t.3, bytes: t.4, createdAt: t.5))
        }
        return out
    }

    public func workers() async throws -> [WorkerRecord] {
        let rows = try await client.query(
            """
            SELECT w.id, w.host, w.capacity, w.labels, w.version, w.connected, w.first_seen_at, w.last_heartbeat_at,
                (SELECT count(*) FROM jobs j WHERE j.lease_owner = w.id AND j.status IN ('assigned', 'running')),
                w.draining
            FROM workers w ORDER BY w.id
            """, logger: logger)
        var out: [WorkerRecord] = []
        for try await t in rows.decode((String, String, Int, [String], String, Bool, Date, Date, Int64, Bool).self) {
            out.append(
                WorkerRecord(
                    id: t.0, host: t.1, capacity: t.2, labels: t.3, version: t.4, connected: t.5, runningJobs: Int(t.8),
                    firstSeenAt: t.6, lastHeartbeatAt: t.7, draining: t.9))
        }
        return out
    }
}
