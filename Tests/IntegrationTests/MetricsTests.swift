import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// `GET /metrics`, read by a real Prometheus text parser (the Python `prometheus_client`
/// package, which test.sh installs from Debian).
@Suite(.serialized)
struct MetricsTests {
    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Scrapes the coordinator and parses the answer with prometheus_client; fails on anything
    /// the parser rejects.
    func scrape(_ cluster: TestCluster) async throws -> [Sample] {
        let reply = try await cluster.request("GET", "metrics")
        #expect(reply.status == 200)
        return try await Self.parse(reply.body)
    }

    /// Prometheus text parsed by prometheus_client.
    static func parse(_ body: Data) async throws -> [Sample] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.append({"name": s.name, "labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """
        let parsed = try await runTool("/usr/bin/python3", ["-c", script, file.path])
        guard parsed.status == 0 else { throw TestEnvironmentError("prometheus_client refused: \(parsed.output)") }
        return try JSONDecoder().decode([Sample].self, from: Data(parsed.output.utf8))
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?
            .value
    }

    func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        Self.value(samples, name, labels)
    }

    @Test func theCoordinatorsMetricsParseAndCountWhatHappened() async throws {
        // Eight seconds of bars: still running when the scrape below comes, on a loaded machine too.
        let spec = LifecycleTests.paced("metered", bars: 8_000)
        try await TestCluster.with { cluster in
            #expect(try await cluster.request("GET", "metrics", authorized: false).status == 401)
            try cluster.startWorker("w1")
            _ = try await cluster.create(spec)
            try await waitUntil("running with an equity", timeout: .seconds(60)) {
                let job = try await cluster.job(spec.name)
                return job.status == .running && job.equity != nil && job.barsDone >= 1_000
            }
            let running = try await scrape(cluster)
            #expect(value(running, "ats_jobs", ["status": "running"]) == 1)
            #expect(value(running, "ats_workers_connected") == 1)
            #expect(value(running, "ats_leader") == 1 && value(running, "ats_leader_term") == 1)
            let equity = try #require(value(running, "ats_job_equity", ["job": spec.name]))
            #expect(equity > 0)
            let drawdown = try #require(value(running, "ats_job_drawdown", ["job": spec.name]))
            #expect(drawdown >= 0 && drawdown < 1)

            let done = try await cluster.waitForJobs([spec.name], timeout: .seconds(60))
            #expect(done.first?.status == .completed)
            let after = try await scrape(cluster)
            #expect(value(after, "ats_jobs", ["status": "completed"]) == 1)
            #expect(value(after, "ats_jobs", ["status": "running"]) == 0)
            let fills = try await cluster.fills(spec.name).count
            #expect(fills > 0 && value(after, "ats_fills_persisted_total") == Double(fills))
            // At least the hello, the job's start, its fills, its checkpoints and its end.
            #expect((value(after, "ats_frames_received_total") ?? 0) >= 5)
            #expect((value(after, "ats_lease_renewals_total") ?? 0) > 0)
            #expect((value(after, "ats_postgres_transaction_seconds_count") ?? 0) > 0)
            #expect(value(after, "ats_job_equity", ["job": spec.name]) == nil, "a finished job's gauges are gone")
            #expect(after.contains { $0.name.hasPrefix("hb_request") }, "HTTP requests are counted too")
        }
    }

    /// Past `ATS_METRICS_JOB_SERIES` active jobs, only the deepest in drawdown keep series of
    /// their own; the deepest drawdown of all and the count left out have gauges.
    @Test func perJobSeriesAreBounded() async throws {
        let specs = (0..<3).map { k in
            TestData.spec(
                "bounded-\(k)", data: TestData.file(bars: 5_000, seed: UInt64(60 + k)), strategy: "sma_cross",
                ["fast": .int(3 + k), "slow": .int(9 + k)], mode: .paper, paceMs: 5)
        }
        try await TestCluster.with(environment: ["ATS_METRICS_JOB_SERIES": "1"]) { cluster in
            try cluster.startWorker("w1", capacity: 3)
            for s in specs { _ = try await cluster.create(s) }
            try await waitUntil("all running with an equity", timeout: .seconds(60)) {
                try await cluster.jobs().allSatisfy { $0.status == .running && $0.equity != nil && $0.barsDone >= 200 }
            }
            let scraped = try await scrape(cluster)
            let series = specs.compactMap { value(scraped, "ats_job_drawdown", ["job": $0.name]) }
            #expect(series.count == 1, "one job's series only: \(series)")
            #expect(value(scraped, "ats_jobs_without_series") == 2)
            let deepest = try #require(value(scraped, "ats_job_drawdown_max"))
            #expect(series.first == deepest, "the series shown is the deepest drawdown")
        }
    }
}
