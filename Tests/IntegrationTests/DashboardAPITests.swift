import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the dashboard stands on, through the API as a browser uses it (real coordinator, worker
/// processes and PostgreSQL): sessions and CSRF, the paged job list, the live stream, worker
/// drain, equity curves, the report, the log view, and the worker's own health and metrics port.
@Suite(.serialized)
struct DashboardAPITests {
    /// A browser's view of the API: a session cookie and its CSRF token, no bearer token.
    struct Browser {
        let port: Int
        var cookie: String?
        var csrf: String?

        struct Reply {
            var status: Int
            var body: Data
            var headers: [String: String]
            var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        }

        /// With `adminToken`, the request carries the bearer token instead (scripts, the CLI).
        func send(
            _ method: String, _ path: String, json: Any? = nil, csrf sendCSRF: Bool = true, adminToken: Bool = false
        ) async throws -> Reply {
            var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/\(path)")!)
            r.httpMethod = method
            r.timeoutInterval = 30
            r.httpShouldHandleCookies = false
            if let json {
                r.httpBody = try JSONSerialization.data(withJSONObject: json)
                r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            if let cookie { r.setValue("ats_session=\(cookie)", forHTTPHeaderField: "Cookie") }
            if sendCSRF, let csrf { r.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token") }
            if adminToken { r.setValue("Bearer \(TestCluster.adminToken)", forHTTPHeaderField: "Authorization") }
            let (data, response) = try await TestCluster.http.data(for: r)
            let http = response as! HTTPURLResponse
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields { headers["\(k)".lowercased()] = "\(v)" }
            return Reply(status: http.statusCode, body: data, headers: headers)
        }

        mutating func signIn(_ user: String, _ password: String) async throws -> Reply {
            let reply = try await send("POST", "api/session", json: ["user": user, "password": password])
            if reply.status == 200 {
                let setCookie = reply.headers["set-cookie"] ?? ""
                cookie = setCookie.split(separator: ";").first.map { String($0.dropFirst("ats_session=".count)) }
                csrf = (reply.json as? [String: Any])?["csrf_token"] as? String
            }
            return reply
        }
    }

    static func addUser(_ cluster: TestCluster, _ name: String, _ password: String, role: String = "trader")
        async throws -> TestCluster.Reply
    {
        try await cluster.request(
            "POST", "api/users",
            body: try JSONSerialization.data(withJSONObject: ["name": name, "password": password, "role": role]))
    }

    @Test func aSessionSignsInNeedsItsCSRFTokenToChangeStateAndEnds() async throws {
        let spec = TestData.spec(
            "by-alice", data: TestData.file(bars: 2_000, seed: 3), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)])
        try await TestCluster.with { cluster in
            #expect(try await Self.addUser(cluster, "alice", "alice-password-1").status == 201)
            #expect(try await Self.addUser(cluster, "alice", "another-password").status == 409)
            let short = try await Self.addUser(cluster, "bob", "short")
            #expect(short.status == 400)
            #expect(String(decoding: short.body, as: UTF8.self).contains("\"field\":\"password\""))

            var browser = Browser(port: cluster.httpPort)
            #expect(try await browser.send("GET", "api/jobs").status == 401)
            #expect(try await browser.signIn("alice", "wrong-password-1").status == 401)
            #expect(try await browser.signIn("nobody", "alice-password-1").status == 401)
            let signedIn = try await browser.signIn("alice", "alice-password-1")
            #expect(signedIn.status == 200)
            let cookie = signedIn.headers["set-cookie"] ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
            #expect(try await browser.send("GET", "api/jobs").status == 200)
            let session = try await browser.send("GET", "api/session").json as? [String: Any]
            #expect(session?["user"] as? String == "alice" && session?["csrf_token"] as? String == browser.csrf)

            // Without the CSRF token (or with another) nothing changes.
            let body = try JSONSerialization.jsonObject(with: spec.json())
            let forged = try await browser.send("POST", "api/jobs", json: body, csrf: false)
            #expect(forged.status == 403)
            #expect(String(decoding: forged.body, as: UTF8.self).contains("\"code\":\"csrf\""))
            var wrong = browser
            wrong.csrf = "not-the-token"
            #expect(try await wrong.send("POST", "api/jobs", json: body).status == 403)
            #expect(try await cluster.request("GET", "api/jobs/by-alice").status == 404)

            // With it, the job is created and the audit trail names the user.
            #expect(try await browser.send("POST", "api/jobs", json: body).status == 201)
            #expect(try await cluster.events("by-alice").first?.actor == "user:alice")

            // Signing out kills the cookie.
            #expect(try await browser.send("DELETE", "api/session").status == 204)
            #expect(try await browser.send("GET", "api/jobs").status == 401)

            // A session past its expiry is refused (and deleted).
            var again = Browser(port: cluster.httpPort)
            #expect(try await again.signIn("alice", "alice-password-1").status == 200)
            let expired = try await runTool(
                "/usr/bin/psql",
                [cluster.database.url, "-qAtc", "UPDATE sessions SET expires_at = now() - interval '1 second'"])
            #expect(expired.status == 0, "\(expired.output)")
            #expect(try await again.send("GET", "api/jobs").status == 401)
            let left = try await runTool(
                "/usr/bin/psql", [cluster.database.url, "-qAtc", "SELECT count(*) FROM sessions"])
            #expect(left.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

            // The password is stored hashed (PBKDF2), never as given.
            let stored = try await runTool(
                "/usr/bin/psql",
                [cluster.database.url, "-qAtc", "SELECT password_hash FROM users WHERE name = 'alice'"])
            #expect(stored.output.hasPrefix("pbkdf2-sha256$600000$") && !stored.output.contains("alice-password-1"))
        }
    }

    @Test func repeatedWrongPasswordsAreThrottled() async throws {
        try await TestCluster.with { cluster in
            #expect(try await Self.addUser(cluster, "carol", "carol-password-1").status == 201)
            var browser = Browser(port: cluster.httpPort)
            for _ in 0..<5 { #expect(try await browser.signIn("carol", "guess-guess-guess").status == 401) }
            let refused = try await browser.signIn("carol", "carol-password-1")
            #expect(refused.status == 429)
            #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 > 0)
            // Another user is not affected.
            #expect(try await Self.addUser(cluster, "dave", "dave-password-1").status == 201)
            var other = Browser(port: cluster.httpPort)
            #expect(try await other.signIn("dave", "dave-password-1").status == 200)
        }
    }

    @Test func theJobListPagesSortsAndFilters() async throws {
        let data = TestData.file(bars: 2_000, seed: 3)
        try await TestCluster.with { cluster in
            // No worker: the jobs stay pending.
            for i in 0..<25 {
                var spec = TestData.spec(
                    String(format: "list-%02d", i), data: data, strategy: "sma_cross",
                    ["fast": .int(3), "slow": .int(9)])
                spec.labels = i % 5 == 0 ? ["fast"] : []
                _ = try await cluster.create(spec)
            }
            func page(_ query: String) async throws -> (names: [String], total: Int?, status: Int) {
                let reply = try await Browser(port: cluster.httpPort).send(
                    "GET", "api/jobs?\(query)", adminToken: true)
                let jobs = (try? JSONCoding.decoder().decode([JobRecord].self, from: reply.body)) ?? []
                return (jobs.map(\.name), Int(reply.headers["x-total-count"] ?? ""), reply.status)
            }
            let second = try await page("limit=10&offset=10&sort=-name")
            #expect(second.names == (5...14).reversed().map { String(format: "list-%02d", $0) })
            #expect(second.total == 25)
            #expect(try await page("label=fast").names == ["list-00", "list-05", "list-10", "list-15", "list-20"])
            let search = try await page("q=T-1&sort=name&limit=3")
            #expect(search.names == ["list-10", "list-11", "list-12"] && search.total == 10)
            #expect(try await page("status=pending").total == 25)
            #expect(try await page("status=running").total == 0)
            // A name with LIKE's wildcards matches them literally.
            #expect(try await page("q=%25").total == 0)
            #expect(try await page("sort=bogus").status == 400)
            #expect(try await page("status=bogus").status == 400)
            let overview = try JSONSerialization.jsonObject(with: try await cluster.request("GET", "api/overview").body)
            #expect(((overview as? [String: Any])?["jobs"] as? [String: Int])?["pending"] == 25)
        }
    }

    @Test func theStreamSendsJobChangesAndEvents() async throws {
        let spec = TestData.spec(
            "streamed", data: TestData.file(bars: 20_000, seed: 4), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)])
        try await TestCluster.with { cluster in
            try cluster.startWorker("w1")
            // Jobs and events on one stream; log lines (many, continuous) on their own, so the
            // ticks this test waits for are not crowded out of a slow reader's buffer.
            func open(_ topics: String) throws -> RawConnection {
                let c = try RawConnection(port: cluster.httpPort, receiveTimeout: 30)
                c.send(
                    Array(
                        ("GET /api/stream?topics=\(topics) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Authorization: Bearer \(TestCluster.adminToken)\r\n\r\n").utf8))
                return c
            }
            let stream = try open("jobs,events")
            let logs = try open("logs")
            var seen = ""
            let deadline = ContinuousClock.now + .seconds(90)
            func read(until needle: String, from connection: RawConnection) async throws {
                while !seen.contains(needle) {
                    guard ContinuousClock.now < deadline, let more = await connection.readSome() else {
                        throw TestEnvironmentError("no \(needle) in time; got: \(seen.suffix(500))")
                    }
                    seen += String(decoding: more, as: UTF8.self)
                }
            }
            try await read(until: "event: hello", from: stream)
            #expect(seen.contains("text/event-stream"))
            _ = try await cluster.create(spec)
            try await read(until: "\"kind\":\"created\"", from: stream)
            try await read(until: "\"status\":\"completed\"", from: stream)
            #expect(seen.contains("event: jobs") && seen.contains("\"name\":\"streamed\""))
            try await read(until: "\"kind\":\"completed\"", from: stream)
            try await read(until: "event: logs", from: logs)

            let bad = try await cluster.request("GET", "api/stream?topics=prices")
            #expect(bad.status == 400)
        }
    }

    @Test func aDrainedWorkerHandsItsJobToAnotherAndTakesNoMore() async throws {
        let spec = LifecycleTests.paced("drained", bars: 30_000)
        try await TestCluster.with { cluster in
            try cluster.startWorker("w1", capacity: 1)
            _ = try await cluster.create(spec)
            try await waitUntil("running on w1 past a checkpoint", timeout: .seconds(60)) {
                let job = try await cluster.job("drained")
                return job.leaseOwner == "w1" && job.barsDone >= 1_500
            }
            try cluster.startWorker("w2", capacity: 1)
            try await waitUntil("w2 connected", timeout: .seconds(30)) {
                try await cluster.workerRecords().contains { $0.id == "w2" && $0.connected }
            }
            let drained = try await cluster.request("POST", "api/workers/w1/drain")
            #expect(drained.status == 200)
            #expect(try JSONCoding.decoder().decode(WorkerRecord.self, from: drained.body).draining)
            try await waitUntil("moved to w2", timeout: .seconds(60)) {
                try await cluster.job("drained").leaseOwner == "w2"
            }
            // A new job goes to w2's next free slot, never to the drained w1.
            let second = LifecycleTests.paced("after-drain", bars: 2_000)
            _ = try await cluster.create(second)
            let done = try await cluster.waitForJobs(["drained", "after-drain"], timeout: .seconds(180))
            #expect(done.allSatisfy { $0.status == .completed })
            let events = try await cluster.events("after-drain")
            #expect(!events.contains { $0.kind == "assigned" && $0.detail.contains("w1") }, "\(events)")
            // Resumed from the checkpoint: the same fills as one uninterrupted run.
            let stored = try await cluster.fills("drained").map(\.fill)
            #expect(stored == (try InProcessRun.run(spec).fills))
            let audit = try await cluster.request("GET", "api/events?limit=1000")
            #expect(String(decoding: audit.body, as: UTF8.self).contains("worker_drained"))
            #expect(try await cluster.request("POST", "api/workers/w1/undrain").status == 200)
            #expect(try await cluster.workerRecords().first { $0.id == "w1" }?.draining == false)
            #expect(try await cluster.request("POST", "api/workers/nobody/drain").status == 404)
        }
    }

    @Test func aJobsCurveIsSampledAtFixedBarsAndItsReportDownloads() async throws {
        let bars = 25_000
        let spec = TestData.spec(
            "curved", data: TestData.file(bars: bars, seed: 6), strategy: "sma_cross",
            ["fast": .int(5), "slow": .int(30)])
        try await TestCluster.with { cluster in
            try cluster.startWorker("w1")
            _ = try await cluster.create(spec)
            let job = try #require(try await cluster.waitForJobs(["curved"], timeout: .seconds(120)).first)
            let curve = try JSONCoding.decoder().decode(
                [CurvePoint].self, from: try await cluster.request("GET", "api/jobs/curved/curve").body)
            let stride = CurvePoint.stride(total: bars)
            #expect(
                curve.map(\.barIndex) == Array(Swift.stride(from: stride - 1, to: bars, by: stride)).map(Int64.init))
            #expect(curve.last?.equity == job.equity, "the last point is the final equity")
            let series = try BarCSVReader.read(path: TestData.path(spec.data.path))
            #expect(
                curve.allSatisfy {
                    $0.close == series.close[Int($0.barIndex)] && $0.timeMs == series.time[Int($0.barIndex)]
                })
            // The strategy's series (its averages) with each point, as this process's run draws
            // them at that bar, bit for bit (undefined values as null, read back as NaN).
            let plots = try JSONCoding.decoder().decode(
                [PlotSeries].self, from: try await cluster.request("GET", "api/jobs/curved/plots").body)
            #expect(plots == [PlotSeries("fast", pane: .price), PlotSeries("slow", pane: .price)])
            var local = try Registry.standard.makeSession(
                try spec.validate(with: .standard), options: SessionOptions(recordEquity: true, recordPlots: true))
            local.run(series, until: series.count)
            for point in curve {
                let expected = local.plotValues.map { $0[Int(point.barIndex)] }
                #expect(point.plots.map(\.bitPattern) == expected.map(\.bitPattern), "bar \(point.barIndex)")
            }
            // The first point (bar 24) is before the slow average's 30th bar: a gap, not a number.
            #expect(curve.first?.plots.count == 2 && curve.first!.plots[0].isFinite && curve.first!.plots[1].isNaN)

            let report = try await cluster.request("GET", "api/jobs/curved/report")
            #expect(report.status == 200)
            let html = String(decoding: report.body, as: UTF8.self)
            #expect(html.hasPrefix("<!doctype html>") && html.contains("<svg") && html.contains("curved (completed)"))
            #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
            #expect(html.contains(">fast</text>") && html.contains(">slow</text>"), "the averages are drawn")
            let trips = job.statistics?.roundTrips ?? 0
            #expect(trips > 0 && html.contains("<td>\(trips)</td>"), "the trades table lists every round trip")
        }
    }

    @Test func theLogViewHasTheCoordinatorsLines() async throws {
        try await TestCluster.with { cluster in
            #expect(try await Self.addUser(cluster, "erin", "erin-password-1").status == 201)
            var browser = Browser(port: cluster.httpPort)
            #expect(try await browser.signIn("erin", "erin-password-1").status == 200)
            let lines = try JSONCoding.decoder().decode(
                [LogLine].self, from: try await browser.send("GET", "api/logs?limit=2000").body)
            #expect(lines.contains { $0.message == "signed in" && $0.metadata["user"] == "erin" })
            #expect(lines.contains { $0.message == "database ready" })
            #expect(!lines.contains { $0.text.contains("erin-password-1") || $0.text.contains(TestCluster.adminToken) })
            let warnings = try JSONCoding.decoder().decode(
                [LogLine].self, from: try await browser.send("GET", "api/logs?level=warning").body)
            #expect(!warnings.contains { $0.level == "info" })
        }
    }

    @Test func theWorkerServesItsHealthAndMetrics() async throws {
        let spec = TestData.spec(
            "metered-worker", data: TestData.file(bars: 5_000, seed: 8), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)])
        // A job lease long enough that a stalled heartbeat on a loaded machine does not move the
        // job (its bars would be counted twice): the test is about the worker's own endpoints.
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "15000"]) { cluster in
            let port = try freeFixedPort()
            try cluster.startWorker(
                "w1",
                environment: [
                    "ATS_WORKER_HTTP_PORT": "\(port)", "ATS_WORKER_METRICS_TOKEN": "worker-metrics-token-0123",
                ])
            func get(_ path: String, token: String? = nil) async throws -> (Int, Data) {
                var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/\(path)")!)
                r.timeoutInterval = 5
                if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
                let (data, response) = try await TestCluster.http.data(for: r)
                return ((response as! HTTPURLResponse).statusCode, data)
            }
            try await waitUntil("the worker's health says connected", timeout: .seconds(30)) {
                guard let (status, _) = try? await get("healthz") else { return false }
                return status == 200
            }
            _ = try await cluster.create(spec)
            _ = try await cluster.waitForJobs(["metered-worker"], timeout: .seconds(60))
            let (_, health) = try await get("healthz")
            let status = try JSONSerialization.jsonObject(with: health) as? [String: Any]
            #expect(status?["worker_id"] as? String == "w1" && status?["connected"] as? Bool == true)

            #expect(try await get("metrics").0 == 401)
            let (code, text) = try await get("metrics", token: "worker-metrics-token-0123")
            #expect(code == 200)
            let samples = try await MetricsTests.parse(text)
            let fills = try await cluster.fills("metered-worker").count
            #expect(MetricsTests.value(samples, "ats_worker_fills_total") == Double(fills))
            #expect(MetricsTests.value(samples, "ats_worker_bars_total") == 5_000)
            #expect(MetricsTests.value(samples, "ats_worker_connected") == 1)
            #expect(MetricsTests.value(samples, "ats_worker_jobs_finished_total", ["outcome": "completed"]) == 1)
            // Heartbeats are echoed every 300 ms: renewals come, however fast the job ran.
            try await waitUntil("lease renewals counted", timeout: .seconds(10)) {
                let (_, text) = try await get("metrics", token: "worker-metrics-token-0123")
                let samples = try await MetricsTests.parse(text)
                return (MetricsTests.value(samples, "ats_worker_lease_renewals_total") ?? 0) > 0
            }

            // With the coordinator gone, the worker says so.
            await cluster.coordinator.stop()
            try await waitUntil("the worker's health says disconnected", timeout: .seconds(30)) {
                (try? await get("healthz"))?.0 == 503
            }
        }
    }
}
