import ATSDatabase
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Elects one leader among the coordinators that share a database, with no consensus of our own:
/// PostgreSQL holds a single leader row (term, holder, addresses, expiry by the database clock).
///
/// Every `renewInterval` each coordinator runs one round on its own connection:
/// - the leader extends the row's expiry, conditional on its term; zero rows means another
///   coordinator took over, and it steps down;
/// - the others take the row over, incrementing the term, when it has expired — or at once when
///   they win the advisory lock the leader holds on its election connection, which PostgreSQL
///   releases the moment the leader's process dies (the lock only speeds up the takeover: safety
///   comes from the term, which every leader write checks in its transaction).
///
/// A leader that cannot renew for a whole lease steps down by itself (the row may have expired
/// for the others); if nobody took over meanwhile, its next successful renewal makes it leader
/// again under the same term.
public final class LeaderElection: Service, Sendable {
    public struct Configuration: Sendable {
        public var databaseURL: String
        public var lease: Duration
        public var renewInterval: Duration

        public init(databaseURL: String, lease: Duration, renewInterval: Duration) {
            self.databaseURL = databaseURL
            self.lease = lease
            self.renewInterval = renewInterval
        }
    }

    /// The advisory lock key the leader holds (the migrator uses 7242001).
    static let lockKey: Int64 = 7_242_002

    let configuration: Configuration
    let leadership: Leadership
    let logger: Logger

    public init(configuration: Configuration, leadership: Leadership, logger: Logger) {
        self.configuration = configuration
        self.leadership = leadership
        self.logger = logger
    }

    var leaseSeconds: Double { configuration.lease.seconds }

    public func run() async throws {
        let round = Round()
        let interval = configuration.renewInterval
        // A round every interval, and one at once when asked (a standby that just turned a worker
        // away checks whether the leader it named is still there).
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        leadership.onRoundRequested { wake.yield() }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        wake.yield()
                        try? await Task.sleep(for: interval)
                    }
                }
                for await _ in wakeups { await self.runRound(round) }
                group.cancelAll()
            }
        }
        wake.finish()
        await resign(round)
        leadership.finish()
    }

    /// What one round leaves for the next (used by one task at a time).
    public final class Round: @unchecked Sendable {
        /// The election connection; the leader's advisory lock lives and dies with it.
        public internal(set) var connection: PostgresConnection?
        var holdsLock = false
        /// When the last successful renewal (or election) started.
        var confirmed: ContinuousClock.Instant?
        /// The term this coordinator led in the previous round.
        var ledTerm: Int64?
        var lastError: String?
        /// The newer schema version this coordinator last refused to lead (logged once).
        var refusedSchema: Int?

        public init() {}
    }

    /// One election round (``run()`` runs one every `renewInterval`; tests drive them by hand).
    public func runRound(_ r: Round) async {
        let started = ContinuousClock.now
        do {
            let conn = try await connection(r)
            // A database that stops answering without closing the connection (a partition) must
            // not stall the round: past a lease, the connection is closed and the query fails.
            let watchdog = Task {
                try await Task.sleep(for: configuration.lease)
                try? await conn.close()
            }
            defer { watchdog.cancel() }
            if let led = r.ledTerm, leadership.term == nil {
                // Stepped down. If only the renewals were late (a loaded database) and nobody took
                // over, the row still holds this term: lead on under it.
                if try await renew(conn, term: led) {
                    r.confirmed = started
                    leadership.set(.leader(term: led))
                    logger.notice("leading again after late renewals: nobody took over", metadata: ["term": "\(led)"])
                    return
                }
                // Deposed: give the lock up and sit this round out, so the coordinator that took
                // over keeps the lead instead of losing it back to this one.
                r.ledTerm = nil
                if r.holdsLock {
                    _ = try await conn.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                    r.holdsLock = false
                }
                leadership.set(.standby(try await currentLeader(conn)))
                return
            }
            if !r.holdsLock {
                r.holdsLock =
                    try await conn.query("SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger)
                    .decode(Bool.self).first { _ in true } ?? false
            }
            if let term = leadership.term {
                if try await renew(conn, term: term) {
                    r.confirmed = started
                } else {
                    logger.warning("leadership lost: another coordinator took over", metadata: ["term": "\(term)"])
                    leadership.lost(term: term)
                    return
                }
            }
            if leadership.term == nil {
                if let term = try await campaign(conn, r) {
                    r.confirmed = started
                    r.ledTerm = term
                    leadership.set(.leader(term: term))
                    logger.notice(
                        "elected leader",
                        metadata: ["term": "\(term)", "through": "\(r.holdsLock ? "the lock" : "an expired row")"])
                } else {
                    let leader = try await currentLeader(conn)
                    if leadership.role != .standby(leader) {
                        logger.info(
                            "standby",
                            metadata: [
                                "leader": "\(leader?.holder ?? "unknown")", "term": "\(leader?.term ?? 0)",
                                "leader_workers": "\(leader?.workerAddress ?? "")",
                            ])
                    }
                    leadership.set(.standby(leader))
                }
            }
            if r.lastError != nil {
                logger.info("election rounds work again")
                r.lastError = nil
            }
        } catch {
            let text = "\(String(reflecting: error))"
            if r.lastError != text { logger.warning("election round failed", metadata: ["error": "\(text)"]) }
            r.lastError = text
            try? await r.connection?.close()
            r.connection = nil
            r.holdsLock = false
            if let term = leadership.term {
                // The lock went with the connection: a standby may take over right now, and its
                // takeover waits for this coordinator's writes to stop. Stop them; if nobody took
                // over, the next round that renews leads on under the same term.
                logger.warning("election connection lost: stepping down", metadata: ["term": "\(term)"])
                leadership.lost(term: term)
            }
        }
        // Not renewed for a whole lease (the database away or overloaded): the row may have
        // expired for the others, so stop acting as leader until a renewal or an election says
        // otherwise. (Safety does not depend on this — every write checks the term — but workers
        // and clients are then sent elsewhere instead of waiting on a leader that cannot write.)
        if let term = leadership.term, let confirmed = r.confirmed,
            ContinuousClock.now - confirmed > configuration.lease
        {
            logger.warning("leadership not renewed in time: stepping down", metadata: ["term": "\(term)"])
            leadership.lost(term: term)
        }
    }

    private func connection(_ r: Round) async throws -> PostgresConnection {
        if let c = r.connection, !c.isClosed { return c }
        r.holdsLock = false
        let c = try await PostgresConnection.connect(
            configuration: try DatabaseURL.connectionConfiguration(configuration.databaseURL), id: 1, logger: logger)
        r.connection = c
        return c
    }

    private func renew(_ conn: PostgresConnection, term: Int64) async throws -> Bool {
        let rows = try await conn.query(
            """
            UPDATE coordinator_leader SET expires_at = clock_timestamp() + make_interval(secs => \(leaseSeconds))
            WHERE id = 1 AND term = \(term) AND holder = \(leadership.instanceId)
            RETURNING term
            """, logger: logger)
        return try await rows.decode(Int64.self).first { _ in true } != nil
    }

    /// Takes the leader row when it has expired (or when this coordinator holds the lock, so no
    /// live leader does). Returns the new term, or nil. Marking every worker disconnected (they
    /// reconnect to the new leader) and the audit event share the takeover's transaction.
    ///
    /// A coordinator whose migrations stop short of the database's never takes the lead: a later
    /// release migrated it while this one ran as a standby (the check at start-up cannot see
    /// that), and its rules would be broken (since migration 18 leases are renewed on the
    /// worker's row; since 27 checkpoints are stored compressed, which this release would hand
    /// on to workers that cannot read them). It stays a standby, saying why once.
    private func campaign(_ conn: PostgresConnection, _ r: Round) async throws -> Int64? {
        let holdsLock = r.holdsLock
        let me = leadership.instanceId
        let (workers, http) = leadership.advertised
        try await conn.query("BEGIN", logger: logger)
        do {
            let schema = try await conn.query(
                "SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
            let newest = try await schema.decode(Int.self).first { _ in true } ?? 0
            if newest > Migrations.latestVersion {
                try await conn.query("ROLLBACK", logger: logger)
                // The lock goes too: held by a coordinator that will not lead, it would make every
                // other one wait for the row's expiry at each failover.
                if r.holdsLock {
                    _ = try await conn.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                    r.holdsLock = false
                }
                if r.refusedSchema != newest {
                    logger.error(
                        "not taking the lead",
                        metadata: ["reason": "\(SchemaTooNew(database: newest, binary: Migrations.latestVersion))"])
                    r.refusedSchema = newest
                }
                return nil
            }
            // Only the lock holder may create the row or take a live one over; anyone may take an
            // expired one. (`clock_timestamp()`, not `now()`: the transaction may have waited on
            // another takeover's row lock.)
            let rows =
                holdsLock
                ? try await conn.query(
                    """
                    INSERT INTO coordinator_leader AS l (id, term, holder, worker_address, http_url, expires_at)
                    VALUES (1, 1, \(me), \(workers), \(http), clock_timestamp() + make_interval(secs => \(leaseSeconds)))
                    ON CONFLICT (id) DO UPDATE SET term = l.term + 1, holder = EXCLUDED.holder,
                        worker_address = EXCLUDED.worker_address, http_url = EXCLUDED.http_url,
                        elected_at = clock_timestamp(), expires_at = EXCLUDED.expires_at
                    RETURNING term
                    """, logger: logger)
                : try await conn.query(
                    """
                    UPDATE coordinator_leader SET term = term + 1, holder = \(me), worker_address = \(workers),
                        http_url = \(http), elected_at = clock_timestamp(),
                        expires_at = clock_timestamp() + make_interval(secs => \(leaseSeconds))
                    WHERE id = 1 AND expires_at < clock_timestamp()
                    RETURNING term
                    """, logger: logger)
            guard let term = try await rows.decode(Int64.self).first(where: { _ in true }) else {
                try await conn.query("ROLLBACK", logger: logger)
                return nil
            }
            try await conn.query("UPDATE workers SET connected = false WHERE connected", logger: logger)
            try await conn.query(
                """
                INSERT INTO job_events (job_id, job_name, actor, kind, detail)
                VALUES (NULL, '', \("coordinator:" + me), 'leader_elected', \("term \(term), workers at \(workers)"))
                """, logger: logger)
            try await conn.query("COMMIT", logger: logger)
            return term
        } catch {
            _ = try? await conn.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private func currentLeader(_ conn: PostgresConnection) async throws -> Leadership.Leader? {
        let rows = try await conn.query(
            "SELECT term, holder, worker_address, http_url FROM coordinator_leader WHERE id = 1", logger: logger)
        return try await rows.decode((Int64, String, String, String).self).first { _ in true }.map {
            Leadership.Leader(term: $0.0, holder: $0.1, workerAddress: $0.2, httpURL: $0.3)
        }
    }

    /// On shutdown: let the row expire now so a standby takes over at its next round, and close
    /// the connection (releasing the lock).
    public func resign(_ r: Round) async {
        if let term = leadership.term, let conn = r.connection, !conn.isClosed {
            leadership.set(.candidate)
            do {
                try await conn.query(
                    """
                    UPDATE coordinator_leader SET expires_at = clock_timestamp() - interval '1 millisecond'
                    WHERE id = 1 AND term = \(term) AND holder = \(leadership.instanceId)
                    """, logger: logger)
                logger.notice("resigned leadership", metadata: ["term": "\(term)"])
            } catch {
                logger.warning("could not resign leadership", metadata: ["error": "\(error)"])
            }
        }
        try? await r.connection?.close()
        r.connection = nil
    }
}
