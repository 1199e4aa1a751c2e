import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Several coordinators on one database: one leads, the others send workers and clients to it.
@Suite(.serialized)
struct HighAvailabilityTests {
    @Test func oneOfTwoCoordinatorsLeadsAndTheStandbySendsWorkersAndClientsToIt() async throws {
        let spec = LifecycleTests.paced("via-standby", bars: 2_000)
        try await TestCluster.with(coordinators: 2) { cluster in
            let leader = try #require(try await cluster.findLeader())
            let standby = 1 - leader
            try await waitUntil("the standby knows the leader", timeout: .seconds(10)) {
                await cluster.health(standby)?["role"] as? String == "standby"
            }
            let leaderURL = "http://127.0.0.1:\(cluster.httpPorts[leader])"
            let standbyHealth = try #require(await cluster.health(standby))
            #expect(standbyHealth["leader"] as? String == leaderURL)
            #expect(standbyHealth["term"] as? Int == (await cluster.health(leader)?["term"] as? Int))

            // A worker that only knows the standby is sent to the leader and runs the job there.
            try cluster.startWorker("w1", coordinators: "127.0.0.1:\(cluster.workerPorts[standby])")
            try await waitUntil("w1 connected to the leader", timeout: .seconds(20)) {
                await cluster.health(leader)?["workers"] as? Int == 1
            }
            #expect(await cluster.health(standby)?["workers"] as? Int == 0)
            #expect(cluster.workers["w1"]!.log.contains("coordinator is a standby"))

            // The standby redirects API calls to the leader (307 keeps method and body) — only
            // for a client with the token.
            let raw = try await rawHTTP(port: cluster.httpPorts[standby], "POST", "/api/jobs", body: spec.json())
            #expect(raw.status == 307)
            #expect(raw.headers["location"] == "\(leaderURL)/api/jobs")
            let anonymous = try await rawHTTP(
                port: cluster.httpPorts[standby], "GET", "/api/jobs", body: nil, token: "wrong-token-0123456789")
            #expect(anonymous.status == 401 && anonymous.headers["location"] == nil)
            // A browser opening the standby's dashboard lands on the leader's.
            let page = try await rawHTTP(port: cluster.httpPorts[standby], "GET", "/ui/", body: nil)
            #expect(page.status == 307 && page.headers["location"] == "\(leaderURL)/ui/")
            await #expect(try rawHTTP(port: cluster.httpPorts[leader], "GET", "/ui/", body: nil).status == 200)

            // The CLI pointed at the standby (first in its list) creates the job on the leader.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("via-standby.json")
            try spec.json().write(to: file)
            let standbyURL = "http://127.0.0.1:\(cluster.httpPorts[standby])"
            let created = try await cluster.ats(
                ["job", "create", "--file", file.path], url: "\(standbyURL),\(leaderURL)")
            #expect(created.status == 0, "\(created.output)")
            let done = try await cluster.waitForJobs([spec.name], timeout: .seconds(60))
            #expect(done.first?.status == .completed)
            let stored = try await cluster.fills(spec.name).map(\.fill)
            #expect(stored == (try InProcessRun.run(spec).fills))
            let listed = try await cluster.ats(["job", "list", "--json"], url: standbyURL)
            #expect(listed.status == 0 && listed.output.contains("via-standby"), "\(listed.output)")
        }
    }

    @Test func aStoppedLeaderHandsOverAtOnceAndJobsKeepRunning() async throws {
        let spec = LifecycleTests.paced("handover", bars: 6_000)
        // A job lease long enough that the handover's speed on a loaded machine does not decide
        // the outcome: the test is about the worker following the new leader and keeping its job.
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "15000"], coordinators: 2) { cluster in
            let first = try #require(try await cluster.findLeader())
            let firstTerm = try #require(await cluster.health(first)?["term"] as? Int)
            try cluster.startWorker("w1")
            _ = try await cluster.create(spec)
            try await waitUntil("running", timeout: .seconds(30)) {
                try await cluster.job(spec.name).status == .running
            }
            // SIGTERM: the leader resigns (the row expires now) and the standby takes over at
            // its next round; the worker follows it and keeps its job under the same epoch.
            let stopped = ContinuousClock.now
            await cluster.coordinators[first].stop()
            try await waitUntil("the standby leads", timeout: .seconds(10)) {
                try await cluster.findLeader() == 1 - first
            }
            let handover = ContinuousClock.now - stopped
            let secondTerm = try #require(await cluster.health(1 - first)?["term"] as? Int)
            #expect(secondTerm == firstTerm + 1)
            let done = try await cluster.waitForJobs([spec.name], timeout: .seconds(60))
            #expect(done.first?.status == .completed)
            #expect(done.first?.epoch == 1, "the job was never reassigned: its worker reconnected in time")
            #expect(try await cluster.fills(spec.name).map(\.fill) == (try InProcessRun.run(spec).fills))
            print("FAULTS graceful leader handover: new leader serving after \(handover)")
        }
    }

    /// An HTTP/1.1 exchange over a plain socket, so redirects are seen as they are sent.
    func rawHTTP(port: Int, _ method: String, _ path: String, body: Data?, token: String = TestCluster.adminToken)
        async throws -> (status: Int, headers: [String: String])
    {
        let connection = try RawConnection(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
        head += "Connection: close\r\nContent-Length: \(body?.count ?? 0)\r\n"
        if body != nil { head += "Content-Type: application/json\r\n" }
        connection.send(Array((head + "\r\n").utf8) + Array(body ?? Data()))
        guard let reply = await connection.readUntilClosed() else { throw TestEnvironmentError("no HTTP answer") }
        let text = String(decoding: reply, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            if line.isEmpty { break }
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
        }
        return (status, headers)
    }
}
