import ATSShared
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Coordinator processes (one, or a leader and standbys) and worker processes on loopback,
/// against a throwaway database, with a client for the admin API.
public final class TestCluster: @unchecked Sendable {
    public let database: TestDatabase
    /// Each coordinator's ports, fixed for the test (a restarted coordinator keeps them).
    public let workerPorts: [Int]
    public let httpPorts: [Int]
    public private(set) var coordinators: [ChildProcess]
    /// The coordinator the API client talks to (the leader, once ``findLeader()`` ran).
    public private(set) var apiIndex = 0
    /// Coordinators replaced by a restart, kept for their logs.
    public private(set) var previousCoordinators: [ChildProcess] = []
    public private(set) var workers: [String: ChildProcess] = [:]
    public static let workerToken = "test-worker-token-0123456789"
    public static let adminToken = "test-admin-token-0123456789"
    let extraEnvironment: [String: String]

    /// HTTP without a cookie jar: the shared session keeps cookies per host whatever the port, so
    /// one test's sign-in would go out with another's requests.
    public static let http: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpCookieStorage = nil
        c.httpShouldSetCookies = false
        c.httpCookieAcceptPolicy = .never
        return URLSession(configuration: c)
    }()

    /// The first coordinator (the only one, in most tests).
    public var coordinator: ChildProcess { coordinators[0] }
    public var workerPort: Int { workerPorts[0] }
    public var httpPort: Int { httpPorts[apiIndex] }
    /// Every coordinator's worker address, as a worker's ATS_COORDINATOR list.
    public var coordinatorList: String { workerPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",") }

    public init(database: TestDatabase, environment: [String: String] = [:], coordinators count: Int = 1) async throws {
        self.database = database
        workerPorts = try (0..<count).map { _ in try freeFixedPort() }
        httpPorts = try (0..<count).map { _ in try freeFixedPort() }
        extraEnvironment = environment
        coordinators = []
        for i in 0..<count { coordinators.append(try startCoordinatorProcess(i)) }
        try await waitUntil("a coordinator leads", timeout: .seconds(30)) { try await self.findLeader() != nil }
    }

    func startCoordinatorProcess(_ i: Int) throws -> ChildProcess {
        try ChildProcess(
            "ats-coordinator", name: "coordinator\(i)",
            environment: [
                "DATABASE_URL": database.url, "ATS_WORKER_PORT": "\(workerPorts[i])",
                "ATS_HTTP_PORT": "\(httpPorts[i])",
                "ATS_WORKER_TOKEN": Self.workerToken, "ATS_ADMIN_TOKEN": Self.adminToken, "ATS_HEARTBEAT_MS": "300",
                "ATS_LEASE_TIMEOUT_MS": "3000", "ATS_LEADER_LEASE_MS": "6000", "ATS_LEADER_RENEW_MS": "200",
                "ATS_COORDINATOR_NAME": "coordinator\(i)", "LOG_LEVEL": "info",
            ].merging(extraEnvironment) { $1 })
    }

    /// What coordinator `i`'s `/healthz` says (nil: it does not answer within 5 s; several tests
    /// read it once and require an answer, from a debug build on a loaded machine).
    public func health(_ i: Int) async -> [String: Any]? {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(httpPorts[i])/healthz")!)
        r.timeoutInterval = 5
        guard let (data, _) = try? await Self.http.data(for: r) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// The index of the coordinator that says it leads (the API client then talks to it), or nil.
    @discardableResult
    public func findLeader() async throws -> Int? {
        for i in coordinators.indices where coordinators[i].isRunning {
            if await health(i)?["role"] as? String == "leader" {
                apiIndex = i
                return i
            }
        }
        return nil
    }

    /// SIGKILLs coordinator `i` (a crash) and waits for its exit.
    public func killCoordinator(_ i: Int) async {
        coordinators[i].signal(SIGKILL)
        await coordinators[i].waitForExit()
    }

    /// Starts coordinator `i` again on its ports (as systemd would).
    public func startCoordinator(_ i: Int) throws {
        previousCoordinators.append(coordinators[i])
        coordinators[i] = try startCoordinatorProcess(i)
    }

    /// Stops the first coordinator (SIGKILL: a crash; otherwise SIGTERM) and starts a new one on
    /// the same ports and database.
    public func restartCoordinator(kill: Bool) async throws {
        if kill { await killCoordinator(0) } else { await coordinators[0].stop() }
        try startCoordinator(0)
        try await waitUntil("coordinator leads again", timeout: .seconds(30)) { try await self.findLeader() == 0 }
    }

    /// Starts a worker process.
    @discardableResult
    public func startWorker(
        _ id: String, capacity: Int = 2, labels: [String] = [], token: String = TestCluster.workerToken,
        coordinators: String? = nil, launcher: [String] = [], environment: [String: String] = [:]
    )
        throws -> ChildProcess
    {
        let p = try ChildProcess(
            "ats-worker", name: "worker-\(id)",
            environment: [
                "ATS_COORDINATOR": coordinators ?? coordinatorList, "ATS_WORKER_ID": id,
                "ATS_WORKER_CAPACITY": "\(capacity)",
                "ATS_WORKER_LABELS": labels.joined(separator: ","), "ATS_WORKER_TOKEN": token,
                "ATS_DATA_DIR": TestDataRoot.path,
                "ATS_COORDINATOR_HTTP": httpPorts.map { "http://127.0.0.1:\($0)" }.joined(separator: ","),
                "LOG_LEVEL": "info",
            ].merging(extraEnvironment) { $1 }.merging(environment) { $1 }, launcher: launcher)
        workers[id] = p
        return p
    }

    public func shutdown() async {
        for w in workers.values { await w.stop() }
        for c in coordinators { await c.stop() }
    }

    // MARK: API

    public struct Reply: Sendable {
        public var status: Int
        public var body: Data
    }

    public func request(_ method: String, _ path: String, body: Data? = nil, authorized: Bool = true) async throws
        -> Reply
    {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(httpPort)/\(path)")!)
        r.httpMethod = method
        r.httpBody = body
        // A guard against a hung daemon, not a latency check (none is made through this): at
        // 10 s, a request timed out in CI while CPU-heavy tests filled both cores beside the
        // cluster's debug coordinator.
        r.timeoutInterval = 30
        if authorized { r.setValue("Bearer \(Self.adminToken)", forHTTPHeaderField: "Authorization") }
        if body != nil { r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        // Like `ats`: a coordinator that knows no leader yet (an election under way) says so with
        // 503 and Retry-After; ask again for a while.
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let (data, response) = try await Self.http.data(for: r)
            let http = response as? HTTPURLResponse
            if http?.statusCode == 503, http?.value(forHTTPHeaderField: "Retry-After") != nil,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(200))
                continue
            }
            return Reply(status: http?.statusCode ?? 0, body: data)
        }
    }

    public func workerRecords() async throws -> [WorkerRecord] {
        try JSONCoding.decoder().decode([WorkerRecord].self, from: try await request("GET", "api/workers").body)
    }

    public func create(_ spec: JobSpec) async throws -> JobRecord {
        let reply = try await request("POST", "api/jobs", body: spec.json())
        guard reply.status == 201 else {
            throw TestEnvironmentError(
                "create \(spec.name): HTTP \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return try JSONCoding.decoder().decode(JobRecord.self, from: reply.body)
    }

    public func job(_ ref: String) async throws -> JobRecord {
        let reply = try await request("GET", "api/jobs/\(ref)")
        guard reply.status == 200 else { throw TestEnvironmentError("job \(ref): HTTP \(reply.status)") }
        return try JSONCoding.decoder().decode(JobRecord.self, from: reply.body)
    }

    public func jobs() async throws -> [JobRecord] {
        try JSONCoding.decoder().decode([JobRecord].self, from: try await request("GET", "api/jobs").body)
    }

    /// Every fill of a job, in sequence order.
    public func fills(_ ref: String) async throws -> [FillRow] {
        var out: [FillRow] = []
        while true {
            let after = out.last?.seq ?? -1
            let page = try JSONCoding.decoder().decode(
                [FillRow].self, from: try await request("GET", "api/jobs/\(ref)/fills?after=\(after)&limit=100000").body
            )
            out += page
            if page.count < 100_000 { return out }
        }
    }

    /// `GET /api/jobs/{job}/divergence`: the job against a replay of what it saw.
    public func divergence(_ ref: String) async throws -> DivergenceReport {
        let reply = try await request("GET", "api/jobs/\(ref)/divergence")
        guard reply.status == 200 else {
            throw TestEnvironmentError(
                "divergence \(ref): HTTP \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return try JSONCoding.decoder().decode(DivergenceReport.self, from: reply.body)
    }

    public func events(_ ref: String) async throws -> [JobEvent] {
        try JSONCoding.decoder().decode([JobEvent].self, from: try await request("GET", "api/jobs/\(ref)/events").body)
    }

    /// Waits until every listed job reached a terminal status.
    public func waitForJobs(_ names: [String], timeout: Duration) async throws -> [JobRecord] {
        var last: [JobRecord] = []
        try await waitUntil("jobs finish", timeout: timeout) {
            last = try await self.jobs().filter { names.contains($0.name) }
            return last.count == names.count && last.allSatisfy { $0.status.isTerminal }
        }
        return last
    }
}

/// Polls `condition` every `every` until true, or fails with `what` after `timeout`. The
/// condition is asked once more when the sleep ends past the deadline: a poller that got no
/// thread for a while must not fail without having looked.
public func waitUntil(
    _ what: String, timeout: Duration, every: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: every)
    }
    throw TestEnvironmentError("timed out waiting for: \(what)")
}

extension TestCluster {
    /// A cluster on a fresh database for `body`; on failure the coordinator's and workers' logs
    /// are printed, and everything is stopped whatever happens.
    public static func with(
        environment: [String: String] = [:], server: String? = nil, coordinators: Int = 1,
        _ body: (TestCluster) async throws -> Void
    ) async throws {
        try await TestDatabase.with(server: server) { db in
            let cluster = try await TestCluster(database: db, environment: environment, coordinators: coordinators)
            do {
                try await body(cluster)
            } catch {
                for old in cluster.previousCoordinators {
                    print("earlier \(old.name) log:\n\(old.log.suffix(3000))")
                }
                for c in cluster.coordinators { print("\(c.name) log:\n\(c.log.suffix(4000))") }
                for (id, w) in cluster.workers { print("worker \(id) log:\n\(w.log.suffix(3000))") }
                await cluster.shutdown()
                throw error
            }
            await cluster.shutdown()
        }
    }

    /// Runs the `ats` CLI against this cluster; returns its exit status and output (stdout and
    /// stderr together).
    public func ats(
        _ arguments: [String], token: String = TestCluster.adminToken, url: String? = nil,
        environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        let p = try ChildProcess(
            "ats", name: "ats",
            environment: ["ATS_URL": url ?? "http://127.0.0.1:\(httpPort)", "ATS_ADMIN_TOKEN": token].merging(
                environment
            ) { $1 },
            arguments: arguments)
        guard let status = await p.waitForExit(timeout: .seconds(60)) else {
            p.signal(SIGKILL)
            throw TestEnvironmentError("ats \(arguments.joined(separator: " ")) did not finish")
        }
        return (status, p.log)
    }
}

extension TestCluster {
    /// Stores a venue credential (HMAC) under `name`, as `ats credentials add` does; throws unless
    /// it was stored.
    public func addCredential(_ name: String = "alice", apiKey: String, secret: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: [
            "name": name, "key_type": "hmac", "api_key": apiKey, "secret": secret,
        ])
        let r = try await request("POST", "api/credentials", body: body)
        guard r.status == 201 else {
            throw TestEnvironmentError("credential \(name) not stored: HTTP \(r.status)")
        }
    }
}
