import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Any file a worker can read was a job's data, and its text came back in the job's error
/// (issue 16, defect 2). Paths are confined to the workers' data root.
@Suite(.serialized)
struct DataPathTests {
    @Test func pathsOutsideTheDataRootAreRefusedAtCreationAndByTheWorker() async throws {
        try await TestCluster.with { cluster in
            for path in ["/etc/shadow", "../../../../etc/hostname", "sub/../../x.csv"] {
                var spec = TestData.spec("escape", data: "x.csv", strategy: "sma_cross", [:])
                spec.data.path = path
                let reply = try await cluster.request("POST", "api/jobs", body: spec.json())
                let text = String(decoding: reply.body, as: UTF8.self)
                #expect(reply.status == 400 && text.contains("\"field\":\"data.path\""), "\(path): \(text)")
            }

            // A row written before the rule (or by hand) reaches a worker, which refuses it too,
            // and a link inside the root that leads out is refused as well.
            try FileManager.default.createSymbolicLink(
                atPath: TestData.directory + "/hostname-link.csv", withDestinationPath: "/etc/hostname")
            let legacy = try await cluster.create(
                TestData.spec("legacy", data: "placeholder.csv", strategy: "noop", [:]))
            let linked = try await cluster.create(
                TestData.spec("linked", data: "hostname-link.csv", strategy: "noop", [:]))
            try await cluster.database.execute(
                "UPDATE jobs SET spec = jsonb_set(spec, '{data,path}', '\"/etc/hostname\"') WHERE id = \(legacy.id)")
            let secret = try String(contentsOfFile: "/etc/hostname", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try cluster.startWorker("w1")
            let done = try await cluster.waitForJobs(["legacy", "linked"], timeout: .seconds(60))
            for job in done {
                let error = job.lastError ?? ""
                #expect(job.status == .failed, "\(job.name)")
                let why = job.id == linked.id ? "leads out of the data directory" : "data.path: must be relative"
                #expect(error.contains(why), "\(job.name): \(error)")
                #expect(secret.isEmpty || !error.contains(secret), "\(job.name): nothing of the file comes back")
            }
        }
    }

    /// A file that is not bar data comes back as a short, escaped excerpt at most.
    @Test func aCSVErrorQuotesAShortEscapedExcerpt() async throws {
        let path = TestData.directory + "/not-bars.csv"
        let secret = "time,open,high,low,close,volume\nsuper-secret-api-key-0123456789abcdef\u{1B}[31m,1,1,1,1,1\n"
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        try await TestCluster.with { cluster in
            try cluster.startWorker("w1")
            _ = try await cluster.create(TestData.spec("not-bars", data: path, strategy: "noop", [:]))
            let job = try #require(try await cluster.waitForJobs(["not-bars"], timeout: .seconds(60)).first)
            let error = job.lastError ?? ""
            #expect(job.status == .failed && error.contains("not-bars.csv:2:1"), "\(error)")
            #expect(!error.contains("0123456789abcdef") && error.contains("…"), "\(error)")
            #expect(!error.contains("\u{1B}"))
        }
    }
}
