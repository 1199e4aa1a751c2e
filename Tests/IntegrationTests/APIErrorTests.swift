import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// A silent 500 (issue 16, defect 4): one unreadable job row took `GET /api/jobs` down with an
/// empty body and no log line, and `ats job list` printed `error: ` and nothing else.
@Suite(.serialized)
struct APIErrorTests {
    @Test func oneBadRowDoesNotTakeTheListDownAndInternalErrorsSayWhat() async throws {
        try await TestCluster.with { cluster in
            let data = TestData.file(bars: 500, seed: 1)
            _ = try await cluster.create(TestData.spec("good", data: data, strategy: "noop", [:]))
            let bad = try await cluster.create(TestData.spec("bad", data: data, strategy: "noop", [:]))
            try await cluster.database.execute("UPDATE jobs SET spec = '{\"bogus\": true}' WHERE id = \(bad.id)")

            let list = try await cluster.request("GET", "api/jobs")
            #expect(list.status == 200)
            let jobs = try JSONCoding.decoder().decode([JobRecord].self, from: list.body)
            #expect(jobs.map(\.name).sorted() == ["bad", "good"])
            #expect(jobs.first { $0.name == "bad" }?.specError?.contains("cannot be read") == true)
            var r = try await cluster.ats(["job", "list"])
            #expect(r.status == 0 && r.output.contains("bad") && r.output.contains("good"), "\(r.output)")
            r = try await cluster.ats(["job", "show", "bad"])
            #expect(r.status == 0 && r.output.contains("unreadable"), "\(r.output)")

            // An error no route expects (here: a table gone) is logged with its cause and
            // answered with a message naming the log line.
            try await cluster.database.execute("DROP TABLE job_curve")
            let failed = try await cluster.request("GET", "api/jobs/good/curve")
            let body = String(decoding: failed.body, as: UTF8.self)
            #expect(failed.status == 500 && body.contains("\"code\":\"internal\""), "\(body)")
            let reference = try #require(body.range(of: #"reference [0-9a-f]+"#, options: .regularExpression))
            let ref = body[reference].dropFirst("reference ".count)
            try await waitUntil("the coordinator logs the cause", timeout: .seconds(5)) {
                cluster.coordinator.log.contains("reference=\(ref)") && cluster.coordinator.log.contains("job_curve")
            }
            r = try await cluster.ats(["job", "list"])
            #expect(r.status == 0)
        }
    }
}
