import ATSShared
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small client of the coordinator's admin API.
struct APIClient {
    let base: URL
    let token: String
    let actor: String

    /// From `--url`/`ATS_URL` (default http://127.0.0.1:8080) and `ATS_ADMIN_TOKEN`.
    init(url: String?, environment env: Environment = Environment()) throws {
        let text =
            url ?? env["ATS_URL"]
            ?? "http://\(env.string("ATS_HTTP_HOST", default: "127.0.0.1")):\(env.string("ATS_HTTP_PORT", default: "8080"))"
        guard let base = URL(string: text) else { throw CLIError.usage("not a URL: \(text)") }
        guard let token = env["ATS_ADMIN_TOKEN"] else {
            throw CLIError.usage("ATS_ADMIN_TOKEN is not set (start.sh writes it to .data/secrets.env)")
        }
        self.base = base
        self.token = token
        let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        actor = "cli:\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// Sends a request; returns the body of a 2xx answer, or throws the API's error.
    func send(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
        guard let url = URL(string: path, relativeTo: base.appendingPathComponent("/")) else {
            throw CLIError.usage("bad request path \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(actor, forHTTPHeaderField: "X-ATS-Actor")
        request.timeoutInterval = 30
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError.unreachable(
                "cannot reach the coordinator at \(base.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let problem = try? JSONDecoder().decode(Problem.self, from: data)
            throw CLIError.api(
                status: status, message: problem?.error ?? String(decoding: data, as: UTF8.self), field: problem?.field)
        }
        return data
    }

    func get<T: Decodable>(_ path: String, as: T.Type) async throws -> T {
        try JSONCoding.decoder().decode(T.self, from: try await send("GET", path))
    }

    struct Problem: Decodable {
        var error: String
        var field: String?
    }
}
