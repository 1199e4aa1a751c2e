import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Reloads are durable, versioned revisions of a job's definition: applied on resume, replayed at
/// the bar where they took effect after a failover, visible in the audit trail (issue 16, defect 1).
@Suite(.serialized)
struct ReloadTests {
    static let before: [String: ParameterValue] = ["fast": .int(10), "slow": .int(30)]
    static let after: [String: ParameterValue] = ["fast": .int(50), "slow": .int(200)]

    static func paced(_ name: String, bars: Int) -> JobSpec {
        TestData.spec(
            name, data: TestData.file(bars: bars, seed: 23), strategy: "sma_cross", before, mode: .paper,
            checkpointEvery: 1_000, paceMs: 2)
    }

    func reload(_ cluster: TestCluster, _ name: String) async throws -> JobRecord {
        let body = try JSONSerialization.data(withJSONObject: ["config": ["fast": 50, "slow": 200]])
        let reply = try await cluster.request("POST", "api/jobs/\(name)/reload", body: body)
        #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
        return try JSONCoding.decoder().decode(JobRecord.self, from: reply.body)
    }

    /// The bar where revision 2 took effect, from the audit trail.
    func effectBar(_ cluster: TestCluster, _ name: String) async throws -> Int? {
        let applied = try await cluster.events(name).first { $0.kind == "reload_applied" }
        guard let detail = applied?.detail, detail.hasPrefix("revision 2 took effect at bar ") else { return nil }
        return Int(detail.dropFirst("revision 2 took effect at bar ".count).prefix { $0.isNumber })
    }

    /// The reported defect: `stop; reload --param fast=50 --param slow=200; start` showed 50/200
    /// and traded 10/30. The resumed run must switch where it resumes.
    @Test func aReloadWhileStoppedTakesEffectWhenTheJobResumes() async throws {
        let spec = Self.paced("reload-stopped", bars: 5_000)
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "15000", "ATS_HEARTBEAT_MS": "1000"]) {
            cluster in
            try cluster.startWorker("w1")
            _ = try await cluster.create(spec)
            try await waitUntil("past the first checkpoint", timeout: .seconds(60)) {
                try await cluster.job(spec.name).barsDone >= 1_300
            }
            #expect(try await cluster.request("POST", "api/jobs/\(spec.name)/stop").status == 200)
            try await waitUntil("stopped", timeout: .seconds(20)) {
                try await cluster.job(spec.name).status == .stopped
            }
            let reloaded = try await reload(cluster, spec.name)
            #expect(reloaded.specRevision == 2 && reloaded.spec?.run.strategy.config["slow"] == .int(200))
            let checkpoints = try JSONCoding.decoder().decode(
                [CheckpointRecord].self,
                from: try await cluster.request("GET", "api/jobs/\(spec.name)/checkpoints").body)
            let resumeBar = try #require(checkpoints.map(\.cursor).max())
            #expect(try await cluster.request("POST", "api/jobs/\(spec.name)/start").status == 200)
            let done = try await cluster.waitForJobs([spec.name], timeout: .seconds(90))
            #expect(done.first?.status == .completed)

            #expect(try await effectBar(cluster, spec.name) == Int(resumeBar), "took effect where the job resumed")
            let stored = try await cluster.fills(spec.name)
            let expected = try InProcessRun.fills(spec, switches: [(Int(resumeBar), Self.after)])
            let unchanged = try InProcessRun.run(spec).fills
            #expect(expected != unchanged, "the reload changes what the job trades after bar \(resumeBar)")
            #expect(stored.map(\.fill) == expected, "fills are those of 10/30 up to the resume, 50/200 after")
            #expect(
                stored.allSatisfy { $0.specRevision == ($0.barIndex < resumeBar ? 1 : 2) },
                "every fill names the revision that made it")
            let kinds = try await cluster.events(spec.name).map(\.kind)
            #expect(kinds.firstIndex(of: "reloaded")! < kinds.firstIndex(of: "reload_applied")!)
        }
    }

    /// A failover before the next checkpoint: the successor resumes from a checkpoint made before
    /// the reload, replays the old parameters up to the bar where the reload took effect, and
    /// switches there, so every stored fill is made again exactly (none diverges).
    @Test func aFailoverReplaysTheReloadAtTheBarWhereItTookEffect() async throws {
        let spec = Self.paced("reload-failover", bars: 6_000)
        try await TestCluster.with { cluster in
            let w1 = try cluster.startWorker("w1", capacity: 1)
            _ = try await cluster.create(spec)
            try await waitUntil("just past a checkpoint", timeout: .seconds(60)) {
                try await cluster.job(spec.name).barsDone >= 1_050
            }
            _ = try await reload(cluster, spec.name)
            var bar: Int?
            try await waitUntil("the reload took effect", timeout: .seconds(20)) {
                bar = try await effectBar(cluster, spec.name)
                return bar != nil
            }
            w1.signal(SIGKILL)
            await w1.waitForExit()
            let effect = try #require(bar)
            try cluster.startWorker("w2", capacity: 1)
            let done = try await cluster.waitForJobs([spec.name], timeout: .seconds(120))
            #expect(done.first?.status == .completed, "\(done.first?.lastError ?? "")")

            let events = try await cluster.events(spec.name)
            let resumed = try #require(events.last { $0.kind == "assigned" })
            #expect(resumed.detail.contains("worker w2"))
            let checkpoints = try JSONCoding.decoder().decode(
                [CheckpointRecord].self,
                from: try await cluster.request("GET", "api/jobs/\(spec.name)/checkpoints").body)
            if checkpoints.contains(where: { $0.cursor < effect && $0.cursor > 0 && $0.epoch == 1 })
                && !checkpoints.contains(where: { $0.cursor >= effect && $0.epoch == 1 })
            {
                #expect(resumed.detail.contains("applies revision 2 at bar \(effect)"), "\(resumed.detail)")
            }
            #expect(!events.contains { $0.kind == "fill_diverged" })
            let expected = try InProcessRun.fills(spec, switches: [(effect, Self.after)])
            #expect(try await cluster.fills(spec.name).map(\.fill) == expected)
        }
    }
}
