import Foundation
import PostgresNIO

/// Parses `postgres://user:password@host:port/database` into a client configuration. TLS is
/// `prefer`-like off for loopback and required elsewhere unless `sslmode=disable` is given.
public enum DatabaseURL {
    public static func configuration(_ text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), let scheme = url.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw ConfigurationFailure("DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        guard let user = url.user, !user.isEmpty else { throw ConfigurationFailure("DATABASE_URL has no user") }
        let host = url.host ?? "127.0.0.1"
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value
        let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
        let tls: PostgresClient.Configuration.TLS =
            (mode == "disable" || (mode == nil && loopback)) ? .disable : .require(.makeClientConfiguration())
        var config = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: url.password?.removingPercentEncoding,
            database: database.isEmpty ? user : database, tls: tls)
        config.options.minimumConnections = 0
        config.options.maximumConnections = 20
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
public struct ConfigurationFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
