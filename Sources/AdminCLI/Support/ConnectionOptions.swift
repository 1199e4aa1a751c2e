import ATSBacktestCLI
import ATSShared
import ArgumentParser
import Foundation

/// Options every command that talks to the coordinator takes.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Coordinator admin API URL, or several separated by commas (default: ATS_URL or http://127.0.0.1:8080).")
    var url: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func client() throws -> APIClient { try APIClient(url: url) }
}

extension ConnectionOptions {
    /// Sends a request whose answer is a `T` (a job, a sweep), then prints it: JSON with
    /// `--json`, else `line(answer)`.
    func request<T: Codable>(
        _ method: String, _ path: String, body: Data? = nil, as: T.Type, line: (T) -> String
    ) async throws {
        let data = try await client().send(method, path, body: body)
        let answer = try JSONCoding.decoder().decode(T.self, from: data)
        if json { try printJSON(answer) } else { print(line(answer)) }
    }

    /// Sends a request whose answer is a job, then prints it: JSON with `--json`, else `line(job)`.
    func jobRequest(_ method: String, _ path: String, body: Data? = nil, line: (JobRecord) -> String) async throws {
        try await request(method, path, body: body, as: JobRecord.self, line: line)
    }
}
