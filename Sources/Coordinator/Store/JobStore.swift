import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import Logging
import PostgresNIO

/// Every read and write of the coordinator's state in PostgreSQL, by concern: jobs and the
/// operator's requests (`+Jobs`), workers (`+Workers`), leases and assignment (`+Leases`), what
/// workers report (`+Results`), dashboard accounts (`+Users`). Each state change is one SQL
/// statement (or one transaction) conditioned on the source statuses from ``JobStateMachine``, and
/// writes its audit event in the same transaction.
public struct JobStore: Sendable {
    public let client: PostgresClient
    let logger: Logger
    let leaseTimeout: Duration
    /// Every write checks this coordinator's term (``transaction(_:)``).
    public let leadership: Leadership
    let metrics: CoordinatorMetrics
    /// Checkpoints kept per job, the newest (a job resumes from its newest; the rest are history
    /// for `ats job checkpoints`): older ones are deleted as new ones come, so a job running for
    /// months holds a few rows, not one per checkpoint.
    public var checkpointsKept = 5

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

}
