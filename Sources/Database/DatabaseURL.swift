import Foundation
import NIOSSL
import PostgresNIO

/// Parses `postgres://user:password@host:port/database` into a client configuration. TLS is
/// `prefer`-like off for loopback and required elsewhere unless `sslmode=disable` is given.
public enum DatabaseURL {
    /// The parts of a database URL.
    struct Parts {
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String
        var tls: Bool

        init(_ text: String) throws {
            guard let url = URLComponents(string: text), let scheme = url.scheme,
                scheme == "postgres" || scheme == "postgresql"
            else {
                throw ConfigurationFailure("DATABASE_URL must look like postgres://user:password@host:5432/database")
            }
            guard let user = url.user, !user.isEmpty else { throw ConfigurationFailure("DATABASE_URL has no user") }
            host = url.host ?? "127.0.0.1"
            port = url.port ?? 5432
            self.user = user
            password = url.password?.removingPercentEncoding
            let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
            database = path.isEmpty ? user : path
            let mode = url.queryItems?.first { $0.name == "sslmode" }?.value
            let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
            tls = !(mode == "disable" || (mode == nil && loopback))
        }
    }

    /// A pooled client's configuration.
    public static func configuration(_ text: String) throws -> PostgresClient.Configuration {
        let p = try Parts(text)
        var config = PostgresClient.Configuration(
            host: p.host, port: p.port, username: p.user, password: p.password, database: p.database,
            tls: p.tls ? .require(.makeClientConfiguration()) : .disable)
        config.options.minimumConnections = 0
        config.options.maximumConnections = 20
        config.options.additionalStartupParameters = Self.sessionParameters
        return config
    }

    /// A client frozen in the middle of a transaction (SIGSTOP, a paused VM) would hold its row
    /// locks for ever, and a standby's takeover would wait on them: PostgreSQL ends such a
    /// session after 10 s.
    static let sessionParameters = [("idle_in_transaction_session_timeout", "10000")]

    /// A single connection's configuration (for session state such as advisory locks).
    public static func connectionConfiguration(_ text: String) throws -> PostgresConnection.Configuration {
        let p = try Parts(text)
        var config = PostgresConnection.Configuration(
            host: p.host, port: p.port, username: p.user, password: p.password, database: p.database,
            tls: p.tls ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
        config.options.additionalStartupParameters = Self.sessionParameters
        return config
    }

    /// The URL with its password replaced, for logs.
    public static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text) else { return "(unparseable)" }
        if url.password != nil { url.password = "***" }
        return url.string ?? "(unparseable)"
    }
}

/// A configuration problem found at start-up.
public struct ConfigurationFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
