import ATSBacktestCLI
import ATSShared
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small client of the coordinator's admin API. With several coordinators it takes a list of
/// URLs: an unreachable one is skipped, a standby's redirect to the leader is followed (with the
/// token, to the address the cluster itself advertises), and "no leader yet" answers are retried
/// while an election completes.
struct APIClient {
    let bases: [URL]
    let token: String
    let actor: String

    /// From `--url`/`ATS_URL` (comma-separated; default http://127.0.0.1:8080) and `ATS_ADMIN_TOKEN`.
    init(url: String?, environment env: Environment = Environment()) throws {
        let text =
            url ?? env["ATS_URL"]
            ?? "http://\(env.string("ATS_HTTP_HOST", default: "127.0.0.1")):\(env.string("ATS_HTTP_PORT", default: "8080"))"
        bases = try text.split(separator: ",").map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let base = URL(string: trimmed), base.scheme == "http" || base.scheme == "https" else {
                throw CLIError.usage("not an http(s) URL: \(trimmed)")
            }
            return base
        }
        guard !bases.isEmpty else { throw CLIError.usage("no coordinator URL given") }
        guard let token = env["ATS_ADMIN_TOKEN"] else {
            throw CLIError.usage("ATS_ADMIN_TOKEN is not set (start.sh writes it to .data/secrets.env)")
        }
        self.token = token
        let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        actor = "cli:\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// How long "no leader is known yet" answers are retried.
    static let electionPatience: Duration = .seconds(15)

    /// Sends a request; returns the body of a 2xx answer, or throws the API's error.
    func send(
        _ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json",
        timeout: TimeInterval = 30
    ) async throws -> Data {
        let deadline = ContinuousClock.now + Self.electionPatience
        var unreachable: [String] = []
        while true {
            unreachable = []
            for base in bases {
                guard var url = URL(string: path, relativeTo: base.appendingPathComponent("/")) else {
                    throw CLIError.usage("bad request path \(path)")
                }
                var redirects = 0
                while true {
                    let (data, response): (Data, HTTPURLResponse)
                    do {
                        (data, response) = try await exchange(
                            method, url, body: body, contentType: contentType, timeout: timeout)
                    } catch {
                        unreachable.append("\(url.host ?? "?"):\(url.port ?? 80) (\(error.localizedDescription))")
                        break
                    }
                    let status = response.statusCode
                    if status == 307 || status == 308, redirects < 3,
                        let location = response.value(forHTTPHeaderField: "Location"),
                        let next = URL(string: location, relativeTo: url)?.absoluteURL
                    {
                        // A standby names the leader. The admin token goes only where the user
                        // sent it (one of the URLs given, or the same host), never from https to
                        // plain http.
                        guard Self.mayFollow(from: url, to: next, bases: bases) else {
                            throw CLIError.api(
                                status: status,
                                message:
                                    "\(url.host ?? "?") redirected to \(next.absoluteString), which is not one of the coordinator "
                                    + "URLs given: the admin token is not sent there. Add it to ATS_URL or --url if it is yours",
                                field: nil)
                        }
                        redirects += 1
                        url = next
                        continue
                    }
                    if status == 503, response.value(forHTTPHeaderField: "Retry-After") != nil,
                        ContinuousClock.now < deadline
                    {
                        break  // no leader yet: try the next coordinator, then again
                    }
                    guard (200..<300).contains(status) else {
                        let problem = try? JSONDecoder().decode(Problem.self, from: data)
                        var message = problem?.message ?? String(decoding: data, as: UTF8.self)
                        if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                            message = "the coordinator answered HTTP \(status) with no explanation (see its log)"
                        }
                        throw CLIError.api(status: status, message: message, field: problem?.field)
                    }
                    return data
                }
            }
            guard ContinuousClock.now < deadline, unreachable.count < bases.count else { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw CLIError.unreachable(
            unreachable.count == bases.count
                ? "cannot reach the coordinator: \(unreachable.joined(separator: "; "))"
                : "no coordinator leads (an election did not finish within \(Self.electionPatience))")
    }

    /// Whether a redirect from `from` to `to` may carry the admin token: to one of the URLs the
    /// user gave, or to the same host, and never from https to http.
    static func mayFollow(from: URL, to: URL, bases: [URL]) -> Bool {
        if from.scheme == "https" && to.scheme != "https" { return false }
        func origin(_ u: URL) -> String {
            "\(u.scheme ?? "")://\(u.host ?? ""):\(u.port ?? (u.scheme == "https" ? 443 : 80))"
        }
        return bases.map(origin).contains(origin(to)) || (to.host != nil && to.host == from.host)
    }

    /// One HTTP exchange; redirects are not followed here (``send`` decides).
    private func exchange(_ method: String, _ url: URL, body: Data?, contentType: String, timeout: TimeInterval)
        async throws -> (Data, HTTPURLResponse)
    {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(actor, forHTTPHeaderField: "X-ATS-Actor")
        request.timeoutInterval = timeout
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await Self.session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return (data, http)
    }

    func get<T: Decodable>(_ path: String, as: T.Type) async throws -> T {
        try JSONCoding.decoder().decode(T.self, from: try await send("GET", path))
    }

    /// An API error (docs/openapi.yaml, Error).
    struct Problem: Decodable {
        var code: String
        var message: String
        var field: String?
    }

    /// A session that hands redirects back to ``send`` (FoundationNetworking follows a 307 by
    /// itself otherwise, dropping the body; a per-task delegate is ignored there).
    static let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)

    /// Hands redirects back to ``send`` instead of following them.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }
}
