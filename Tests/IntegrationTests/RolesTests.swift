import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Roles enforced by the API for every route, and sign-in hardened (issue 16, defects 3 and 8).
@Suite(.serialized)
struct RolesTests {
    typealias Browser = DashboardAPITests.Browser

    /// The reported defect: bob, signed in, replaced the admin's password and signed in as admin.
    @Test func aViewerReadsButCannotActOrTakeOverAnotherAccount() async throws {
        let spec = TestData.spec("by-tess", data: TestData.file(bars: 1_000, seed: 3), strategy: "noop", [:])
        try await TestCluster.with { cluster in
            #expect(
                try await DashboardAPITests.addUser(cluster, "root", "root-password-1", role: "admin").status == 201)
            #expect(
                try await DashboardAPITests.addUser(cluster, "tess", "tess-password-1", role: "trader").status == 201)
            #expect(
                try await DashboardAPITests.addUser(cluster, "bob", "bob-password-01", role: "viewer").status == 201)
            let bad = try await DashboardAPITests.addUser(cluster, "eve", "eve-password-01", role: "owner")
            #expect(bad.status == 400)

            var bob = Browser(port: cluster.httpPort)
            #expect(try await bob.signIn("bob", "bob-password-01").status == 200)
            #expect((try await bob.send("GET", "api/session").json as? [String: Any])?["role"] as? String == "viewer")
            #expect(try await bob.send("GET", "api/jobs").status == 200)
            #expect(try await bob.send("GET", "api/workers").status == 200)
            let job = try JSONSerialization.jsonObject(with: spec.json())
            let refused = try await bob.send("POST", "api/jobs", json: job)
            #expect(refused.status == 403 && String(decoding: refused.body, as: UTF8.self).contains("needs a trader"))
            #expect(try await bob.send("GET", "api/users").status == 403)
            let takeover = try await bob.send(
                "POST", "api/users", json: ["name": "root", "password": "bob-owns-root-now", "replace": true])
            #expect(takeover.status == 403)
            var asRoot = Browser(port: cluster.httpPort)
            #expect(try await asRoot.signIn("root", "bob-owns-root-now").status == 401)
            // Bob may not make himself an admin either, but may set his own password with the
            // current one.
            let escalate = try await bob.send(
                "POST", "api/users",
                json: [
                    "name": "bob", "password": "bob-password-02", "replace": true, "role": "admin",
                    "current_password": "bob-password-01",
                ])
            #expect(escalate.status == 403)
            let wrongCurrent = try await bob.send(
                "POST", "api/users",
                json: ["name": "bob", "password": "bob-password-02", "replace": true, "current_password": "nope"])
            #expect(wrongCurrent.status == 403)
            let own = try await bob.send(
                "POST", "api/users",
                json: [
                    "name": "bob", "password": "bob-password-02", "replace": true,
                    "current_password": "bob-password-01",
                ])
            #expect(own.status == 201, "\(own.status) \(String(decoding: own.body, as: UTF8.self))")
            var bobAgain = Browser(port: cluster.httpPort)
            #expect(try await bobAgain.signIn("bob", "bob-password-02").status == 200)

            // A trader acts on jobs but not on users or workers.
            try cluster.startWorker("w1")
            var tess = Browser(port: cluster.httpPort)
            #expect(try await tess.signIn("tess", "tess-password-1").status == 200)
            #expect(try await tess.send("POST", "api/jobs", json: job).status == 201)
            #expect(try await tess.send("POST", "api/workers/w1/drain").status == 403)
            #expect(try await tess.send("DELETE", "api/users/bob").status == 403)
            #expect(try await cluster.events("by-tess").first?.actor == "user:tess")

            // An admin manages users; the admin token acts as an admin and is recorded as itself,
            // whatever the client says it is.
            var root = Browser(port: cluster.httpPort)
            #expect(try await root.signIn("root", "root-password-1").status == 200)
            let users = try JSONCoding.decoder().decode(
                [UserRecord].self, from: try await root.send("GET", "api/users").body)
            #expect(users.map { "\($0.name):\($0.role.rawValue)" } == ["bob:viewer", "root:admin", "tess:trader"])
            var forged = URLRequest(url: URL(string: "http://127.0.0.1:\(cluster.httpPort)/api/jobs")!)
            forged.httpMethod = "POST"
            var byToken = spec
            byToken.name = "by-token"
            forged.httpBody = byToken.json()
            forged.setValue("application/json", forHTTPHeaderField: "Content-Type")
            forged.setValue("Bearer \(TestCluster.adminToken)", forHTTPHeaderField: "Authorization")
            forged.setValue("user:root", forHTTPHeaderField: "X-ATS-Actor")
            _ = try await TestCluster.http.data(for: forged)
            #expect(try await cluster.events("by-token").first?.actor == "token (says user:root)")
        }
    }

    /// A live stream stays open no longer than its session: deleting its user ends it.
    @Test func aStreamEndsWhenItsSessionEnds() async throws {
        try await TestCluster.with { cluster in
            #expect(
                try await DashboardAPITests.addUser(cluster, "sam", "sam-password-01", role: "viewer").status == 201)
            var sam = Browser(port: cluster.httpPort)
            #expect(try await sam.signIn("sam", "sam-password-01").status == 200)
            let stream = try RawConnection(port: cluster.httpPort, receiveTimeout: 12)
            stream.send(
                Array(
                    "GET /api/stream?topics=jobs,events HTTP/1.1\r\nHost: x\r\nCookie: ats_session=\(sam.cookie ?? "")\r\nConnection: close\r\n\r\n"
                        .utf8))
            let first = String(decoding: await stream.readSome() ?? [], as: UTF8.self)
            #expect(first.contains("200") && first.contains("text/event-stream"), "\(first)")
            let started = ContinuousClock.now
            #expect(try await cluster.request("DELETE", "api/users/sam").status == 204)
            let rest = await stream.readUntilClosed()
            #expect(rest != nil, "the stream was closed by the coordinator, not left open")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    /// Defect 8: parallel guesses slipped past the count (LoginThrottleTests has the rest).
    @Test func parallelGuessesCannotSlipPastTheThrottle() async throws {
        try await TestCluster.with { cluster in
            #expect(try await DashboardAPITests.addUser(cluster, "carol", "carol-password-1").status == 201)
            // 12 guesses at once for one name: the count starts with each attempt, so at most five
            // are even tried.
            let port = cluster.httpPort
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        var b = Browser(port: port)
                        return try await b.signIn("carol", "guess-guess-guess").status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count <= 5, "\(statuses.sorted())")
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 })
        }
    }
}
