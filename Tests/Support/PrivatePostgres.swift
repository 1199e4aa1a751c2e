import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of one test's own, made and run by scripts/lib.sh (`pg_start`) in
/// `.data/NAME` (ignored by git), for tests that stop and restart the server itself without
/// disturbing the shared test server.
public struct PrivatePostgres: Sendable {
    public let name: String
    public let port: Int
    /// Superuser URL (the `ats` role) of the server's `ats` database.
    public let url: String

    static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// Runs a scripts/lib.sh function. Output goes through files, not pipes: the server it starts
    /// would hold a pipe open for as long as it runs.
    @discardableResult
    static func lib(_ command: String) async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let outURL = dir.appendingPathComponent("lib-\(UUID().uuidString.prefix(8)).out")
        let errURL = dir.appendingPathComponent("lib-\(UUID().uuidString.prefix(8)).err")
        // posix_spawn and waitpid: Foundation's Process never saw this child exit once the server
        // it started had daemonised.
        let script =
            "cd '\(root.path)' && source scripts/lib.sh && \(command) >'\(outURL.path)' 2>'\(errURL.path)' </dev/null"
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/bash", "-c", script].map { (a: String) in strdup(a) } + [nil]
        defer { for a in argv { free(a) } }
        guard posix_spawn(&pid, "/bin/bash", nil, nil, argv, environ) == 0 else {
            throw TestEnvironmentError("could not start bash for \(command)")
        }
        // Polled: initdb and a start take seconds, and a thread waiting in waitpid is one of the
        // test process's few.
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        guard status & 0x7F == 0 && (status >> 8) & 0xFF == 0 else {
            throw TestEnvironmentError("\(command) failed: \(errors)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates and starts a server on a free port.
    public static func start(name: String) async throws -> PrivatePostgres {
        let port = try freeFixedPort()
        _ = try? await lib("pg_stop \(name)")
        try FileManager.default.removeItem(atPath: root.appendingPathComponent(".data/\(name)").path, ifExists: true)
        let url = try await lib("pg_start \(name) \(port)")
        return PrivatePostgres(name: name, port: port, url: url)
    }

    /// A server for `body`, stopped and deleted after it whatever happens.
    public static func with<T>(name: String, _ body: (PrivatePostgres) async throws -> T) async throws -> T {
        let server = try await start(name: name)
        do {
            let result = try await body(server)
            await server.destroy()
            return result
        } catch {
            await server.destroy()
            throw error
        }
    }

    /// Stops the server (fast shutdown: sessions are cut, as in a crash of the clients' view).
    public func stop() async throws { try await Self.lib("pg_stop \(name)") }

    /// Starts the stopped server again, same data, same port.
    public func startAgain() async throws { _ = try await Self.lib("pg_start \(name) \(port)") }

    /// The server's own log.
    public var serverLog: String {
        (try? String(contentsOfFile: Self.root.appendingPathComponent(".data/\(name)/server.log").path, encoding: .utf8))
            ?? ""
    }

    /// Stops the server and deletes its files.
    public func destroy() async {
        try? await stop()
        try? FileManager.default.removeItem(
            atPath: Self.root.appendingPathComponent(".data/\(name)").path, ifExists: true)
        try? FileManager.default.removeItem(
            atPath: Self.root.appendingPathComponent(".data/\(name).password").path, ifExists: true)
    }
}

extension FileManager {
    fileprivate func removeItem(atPath path: String, ifExists: Bool) throws {
        if fileExists(atPath: path) { try removeItem(atPath: path) }
    }
}
