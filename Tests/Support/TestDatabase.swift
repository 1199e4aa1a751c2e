import ATSDatabase
import Foundation
import Logging
import PostgresNIO

/// A fresh, empty database on the test PostgreSQL (`ATS_TEST_DATABASE_URL`, started by test.sh),
/// created for one test and dropped after it, so tests never see each other's rows.
public struct TestDatabase: Sendable {
    public let url: String
    public let name: String
    let adminURL: String

    /// The server test.sh started; a clear failure when it is missing (tests never skip silently).
    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["ATS_TEST_DATABASE_URL"] else {
            throw TestEnvironmentError(
                "ATS_TEST_DATABASE_URL is not set: run the suite with ./test.sh, which starts a throwaway PostgreSQL")
        }
        return url
    }

    public static func create(server: String? = nil) async throws -> TestDatabase {
        let admin = try server ?? serverURL()
        let name = "ats_test_\(UInt32.random(in: 0...UInt32.max))"
        try await withClient(admin) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        var components = URLComponents(string: admin)!
        components.path = "/\(name)"
        return TestDatabase(url: components.string!, name: name, adminURL: admin)
    }

    public func drop() async {
        _ = try? await Self.withClient(adminURL) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }

    /// Runs SQL against this database (tests that stage rows no API would write).
    public func execute(_ sql: String) async throws {
        try await Self.withClient(url) { client in _ = try await client.query(PostgresQuery(unsafeSQL: sql)) }
    }

    /// Runs `body` with a connected client to `url`.
    @discardableResult
    public static func withClient<T: Sendable>(_ url: String, _ body: @Sendable (PostgresClient) async throws -> T)
        async throws -> T
    {
        // The body may ask for a connection before `run()` has started (they start together):
        // PostgresNIO then warns, and waits. Only errors are worth a line in the test output.
        var logger = Logger(label: "test.pg")
        logger.logLevel = .error
        let client = PostgresClient(configuration: try DatabaseURL.configuration(url), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Creates a database, runs `body`, drops it whatever happens.
    public static func with<T: Sendable>(server: String? = nil, _ body: (TestDatabase) async throws -> T)
        async throws -> T
    {
        let db = try await create(server: server)
        do {
            let result = try await body(db)
            await db.drop()
            return result
        } catch {
            await db.drop()
            throw error
        }
    }
}

public struct TestEnvironmentError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
