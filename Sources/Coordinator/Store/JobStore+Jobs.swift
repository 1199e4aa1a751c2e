import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// Jobs as operators see them: create, find, list, the operator's requests, the audit trail.
extension JobStore {
    // MARK: Operator actions

    /// Stores a validated job as pending (desired running), its definition as revision 1. Names
    /// are unique.
    public func create(_ given: JobSpec, actor: String) async throws -> JobRecord {
        do { try given.validateNewName() } catch { throw StoreError.invalid(error) }
        guard given.sweep == nil else {
            throw StoreError.invalid(
                SpecError(field: "sweep", reason: "a sweep's chunks are made by its sweep (ats sweep create)"))
        }
        let config = String(decoding: try JSONCoding.encoder().encode(given.run.strategy.config), as: UTF8.self)
        do {
            return try await transaction { conn in
                let spec = try await pinDataset(given, on: conn)
                try await holdModel(spec.run.strategy.config, on: conn)
                let json = String(decoding: spec.json(), as: UTF8.self)
                let rows = try await conn.query(
                    """
                    WITH job AS (
                        INSERT INTO jobs (name, mode, spec, labels, created_by) VALUES (\(spec.name), \(spec.mode.rawValue), \(json)::jsonb, \(spec.labels), \(actor))
                        RETURNING id)
                    INSERT INTO job_progress (job_id) SELECT id FROM job RETURNING job_id
                    """, logger: logger)
                guard let id = try await rows.decode(Int64.self).first(where: { _ in true }) else {
                    throw StoreError.conflict("insert returned nothing")
                }
                let record = try await job(id: id, on: conn)
                try await conn.query(
                    """
                    INSERT INTO job_revisions (job_id, revision, strategy_config, created_by)
                    VALUES (\(record.id), 1, \(config)::jsonb, \(actor))
                    """, logger: logger)
                try await recordEvent(
                    conn, job: record.id, name: record.name, actor: actor, kind: "created", detail: "")
                return record
            }
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict("a job named \"\(given.name)\" already exists")
        }
    }

    /// Finds a job by numeric id or by name. A new job's name is never all digits
    /// (``JobSpec/validateNewName()``), so the two cannot be confused; a job named so before that
    /// rule is found by its name first.
    public func job(_ ref: String) async throws -> JobRecord {
        let rows = try await client.query(
            """
            SELECT \(unescaped: JobRow.columns) FROM \(unescaped: JobRow.source)
            WHERE name = \(ref) OR jobs.id = \(Int64(ref)) ORDER BY name = \(ref) DESC LIMIT 1
            """, logger: logger)
        guard let record = try await JobRow.records(rows).first else { throw StoreError.notFound("no job \"\(ref)\"") }
        return record
    }

    public func jobs(status: JobStatus? = nil, limit: Int = 1000) async throws -> [JobRecord] {
        try await jobs(JobQuery(status: status, limit: limit)).jobs
    }

    /// One page of jobs and how many match the filter in all.
    public func jobs(_ q: JobQuery) async throws -> (jobs: [JobRecord], total: Int) {
        let (page, count) = Self.listStatements(q)
        // The count on another connection at the same time as the page.
        let client = self.client
        let logger = self.logger
        async let total = {
            var n = 0
            for try await c in try await client.query(count, logger: logger).decode(Int64.self) { n = Int(c) }
            return n
        }()
        let out = try await JobRow.records(try await client.query(page, logger: logger))
        return (out, try await total)
    }

    /// The statements of a page of jobs: its rows, and how many match the filter in all.
    static func listStatements(_ q: JobQuery) -> (page: PostgresQuery, count: PostgresQuery) {
        // Absent filters bind NULL, so one statement shape serves every filter.
        let pattern = q.search.map { text in
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            return "%\(escaped)%"
        }
        // A sweep's chunks are listed with their sweep (`ats sweep show`), not here.
        let filter: PostgresQuery = """
            sweep_id IS NULL AND (\(q.status?.rawValue)::text IS NULL OR status = \(q.status?.rawValue))
            AND (\(q.label)::text IS NULL OR \(q.label) = ANY(labels))
            AND (\(pattern)::text IS NULL OR name ILIKE \(pattern))
            """
        // The page's ids are picked first, over narrow rows: sorting whole rows would turn every
        // matching row's spec and statistics into text before the sort (10,000 jobs: 60 ms).
        let page = PostgresQuery(
            unsafeSQL: """
                SELECT \(JobRow.columns) FROM \(JobRow.source) WHERE jobs.id IN (
                    SELECT jobs.id FROM \(JobRow.source) WHERE \(filter.sql)
                    ORDER BY \(q.orderBy) LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset)))
                ORDER BY \(q.orderBy)
                """,
            binds: filter.binds)
        // A count of its own (a window count on the page would sort every matching row). It
        // reads the `jobs_listed` index alone while the table's pages are all visible (migration
        // 28 keeps them so).
        let count = PostgresQuery(unsafeSQL: "SELECT count(*) FROM jobs WHERE \(filter.sql)", binds: filter.binds)
        return (page, count)
    }

    /// Applies an operator request (start, stop, reload, delete) under a row lock.
    /// Returns the job after the change.
    public func request(
        _ event: JobStateMachine.Event, job ref: String, actor: String,
        newStrategyConfig: [String: ParameterValue]? = nil,
        registry: Registry
    ) async throws -> JobRecord {
        let current = try await job(ref)
        if current.spec?.sweep != nil {
            throw StoreError.conflict(
                "\(current.name) is a chunk of a sweep: pause, resume or cancel the sweep (ats sweep --help)")
        }
        var reloadedJSON = ""
        var reloadedConfig = ""
        if event == .reloadRequested {
            guard var reloaded = current.spec else {
                throw StoreError.conflict("job \"\(current.name)\" cannot be reloaded: \(current.specError ?? "")")
            }
            reloaded.run.strategy.config = newStrategyConfig ?? [:]
            do { reloaded = try reloaded.normalized(with: registry) } catch { throw StoreError.invalid(error) }
            reloadedJSON = String(decoding: reloaded.json(), as: UTF8.self)
            reloadedConfig = String(
                decoding: try JSONCoding.encoder().encode(reloaded.run.strategy.config), as: UTF8.self)
        }
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
                try await holdModel(newStrategyConfig ?? [:], on: conn)
                // A new revision, durable before anything is sent: the scheduler hands it to the
                // worker running the job (and again after a reconnect) until the worker reports
                // the bar where it took effect; a job resumed later replays it (RevisionPlan).
                let rows = try await conn.query(
                    """
                    UPDATE jobs SET spec = \(reloadedJSON)::jsonb, spec_revision = spec_revision + 1, updated_at = now()
                    WHERE id = \(current.id) RETURNING spec_revision
                    """, logger: logger)
                var revision: Int64 = 0
                for try await r in rows.decode(Int64.self) { revision = r }
                try await conn.query(
                    """
                    INSERT INTO job_revisions (job_id, revision, strategy_config, created_by)
                    VALUES (\(current.id), \(revision), \(reloadedConfig)::jsonb, \(actor))
                    """, logger: logger)
                try await recordEvent(
                    conn, job: current.id, name: current.name, actor: actor, kind: "reloaded",
                    detail: "revision \(revision): \(reloadedConfig)")
            case .deleteRequested:
                try await recordEvent(
                    conn, job: current.id, name: current.name, actor: actor, kind: "deleted", detail: "")
                try await conn.query("DELETE FROM jobs WHERE id = \(current.id)", logger: logger)
                return current
            default:
                throw StoreError.conflict("\(event) is not an operator request")
            }
            switch event {
            case .stopRequested, .startRequested:
                try await recordEvent(
                    conn, job: current.id, name: current.name, actor: actor,
                    kind: event == .stopRequested ? "stop_requested" : "start_requested", detail: "")
            default: break
            }
            return try await job(id: current.id, on: conn)
        }
    }

    /// The model a strategy configuration runs (its `hash=`), still registered and held until the
    /// transaction ends: a model removed between pinning and storing the job would leave a job
    /// that no worker can run.
    func holdModel(_ config: [String: ParameterValue], on conn: PostgresConnection) async throws {
        guard case .string(let hash) = config["hash"], hash.hasPrefix("xxh3:") else { return }
        let rows = try await conn.query("SELECT hash FROM models WHERE hash = \(hash) FOR SHARE", logger: logger)
        guard try await rows.decode(String.self).first(where: { _ in true }) != nil else {
            throw StoreError.invalid(
                SpecError(
                    field: "strategy.config.name", reason: "the model \(hash) was removed (ats model list --cluster)"))
        }
    }

    /// The spec with its data set (named by name or hash) pinned to the set's hash now: the job
    /// runs on exactly those bytes wherever and whenever it runs. The set is locked until the
    /// transaction ends, so it cannot be removed under the job being created.
    func pinDataset(_ spec: JobSpec, on conn: PostgresConnection) async throws -> JobSpec {
        guard spec.market == nil, let ref = spec.data.set else {
            // Only the coordinator writes a hash: one a spec brought along is dropped.
            var plain = spec
            plain.data.hash = nil
            return plain
        }
        let rows = try await conn.query(
            "SELECT name, hash FROM datasets WHERE name = \(ref) OR hash = \(ref) FOR SHARE", logger: logger)
        guard let (name, hash) = try await rows.decode((String, String).self).first(where: { _ in true }) else {
            throw StoreError.invalid(
                SpecError(field: "data.set", reason: "no data set named \"\(ref)\" (ats data list; ats data add FILE)"))
        }
        var pinned = spec
        pinned.data.set = name
        pinned.data.hash = hash
        return pinned
    }

    /// A job by id, read on `conn` (inside a transaction, its own writes).
    func job(id: Int64, on conn: PostgresConnection) async throws -> JobRecord {
        let rows = try await conn.query(
            "SELECT \(unescaped: JobRow.columns) FROM \(unescaped: JobRow.source) WHERE jobs.id = \(id)", logger: logger
        )
        guard let record = try await JobRow.records(rows).first else { throw StoreError.notFound("no job \(id)") }
        return record
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
}

extension JobStore {
    /// How many jobs are in each status.
    public func jobCounts() async throws -> [JobStatus: Int] {
        // A sweep's chunks are counted with their sweep (`ats sweep list`), not here.
        let rows = try await client.query(
            "SELECT status, count(*) FROM jobs WHERE sweep_id IS NULL GROUP BY status", logger: logger)
        var out: [JobStatus: Int] = [:]
        for try await (status, n) in rows.decode((String, Int64).self) {
            if let s = JobStatus(rawValue: status) { out[s] = Int(n) }
        }
        return out
    }

    /// Active jobs that reported an equity.
    func activeEquities() async throws -> [(id: Int64, name: String, equity: Double)] {
        let rows = try await client.query(
            """
            SELECT j.id, j.name, p.equity FROM jobs j JOIN job_progress p ON p.job_id = j.id
            WHERE j.status IN ('assigned', 'running') AND p.equity IS NOT NULL AND j.sweep_id IS NULL
            """,
            logger: logger)
        var out: [(id: Int64, name: String, equity: Double)] = []
        for try await (id, name, equity) in rows.decode((Int64, String, Double).self) { out.append((id, name, equity)) }
        return out
    }

    /// Active jobs per worker, and of them a sweep's chunks, for free capacity (``WorkerLoad``).
    public func heldCounts() async throws -> [String: (jobs: Int, chunks: Int)] {
        let rows = try await client.query(
            """
            SELECT lease_owner, count(*), count(*) FILTER (WHERE sweep_id IS NOT NULL) FROM jobs
            WHERE status IN ('assigned', 'running') AND lease_owner IS NOT NULL
            GROUP BY lease_owner
            """, logger: logger)
        var out: [String: (jobs: Int, chunks: Int)] = [:]
        for try await (owner, n, chunks) in rows.decode((String, Int64, Int64).self) {
            out[owner] = (Int(n), Int(chunks))
        }
        return out
    }
}
