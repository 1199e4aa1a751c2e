import Logging
import PostgresNIO

/// Applies the numbered migrations not yet recorded in `schema_migrations`, each in its own
/// transaction, under an advisory lock so two coordinators starting together do not race.
public struct Migrator: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Returns the versions applied by this call (empty when the schema was current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.withConnection { conn in
            try await conn.query("SELECT pg_advisory_lock(7242001)", logger: logger)
            do {
                let applied = try await run(conn)
                try await conn.query("SELECT pg_advisory_unlock(7242001)", logger: logger)
                return applied
            } catch {
                _ = try? await conn.query("SELECT pg_advisory_unlock(7242001)", logger: logger)
                throw error
            }
        }
    }

    private func run(_ conn: PostgresConnection) async throws -> [Int] {
        try await conn.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: logger)
        var done = Set<Int>()
        for try await version in try await conn.query("SELECT version FROM schema_migrations", logger: logger).decode(
            Int.self)
        {
            done.insert(version)
        }
        // A schema this binary does not know was written by a newer one: its rules (migration 18:
        // leases renewed on the worker's row, not the jobs') would be broken by this binary's
        // queries. An older coordinator never leads a newer schema.
        if let newest = done.max(), newest > Migrations.latestVersion {
            throw SchemaTooNew(database: newest, binary: Migrations.latestVersion)
        }
        var applied: [Int] = []
        for m in Migrations.all where !done.contains(m.version) {
            try await conn.query("BEGIN", logger: logger)
            do {
                for statement in m.sql { try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await conn.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(m.version), \(m.name))", logger: logger)
                try await conn.query("COMMIT", logger: logger)
            } catch {
                _ = try? await conn.query("ROLLBACK", logger: logger)
                throw error
            }
            logger.info("applied migration", metadata: ["version": "\(m.version)", "name": "\(m.name)"])
            applied.append(m.version)
        }
        return applied
    }
}

/// The database's schema is newer than this binary's migrations: upgrade the binary.
public struct SchemaTooNew: Error, CustomStringConvertible {
    public var database: Int
    public var binary: Int
    public init(database: Int, binary: Int) {
        self.database = database
        self.binary = binary
    }
    public var description: String {
        "the database's schema is at version \(database) and this binary knows versions up to \(binary): "
            + "it was upgraded by a newer ATS; run that version here too"
    }
}
