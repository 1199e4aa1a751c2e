import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// The fault-injection suite (docs/RELIABILITY.md). Each scenario prints its figures and fails on
/// any lost, duplicated or extra fill. The default run is short enough for CI;
/// `ATS_FAULTS_LONG=1` (scripts/faults.sh --long) runs the long version.
@Suite(.serialized)
struct FaultInjectionTests {
    static var long: Bool { ProcessInfo.processInfo.environment["ATS_FAULTS_LONG"] == "1" }

    /// Scenario 1: SIGKILL a random worker every 5 s (systemd restarts it a second later), three
    /// workers, 50 paper jobs streaming fills.
    @Test func killingARandomWorkerEveryFiveSecondsLosesAndDuplicatesNothing() async throws {
        let killPhase: Duration = Self.long ? .seconds(300) : .seconds(30)
        let paceMs = 5
        let bars = Int((killPhase + .seconds(15)) / .milliseconds(paceMs))
        let specs = (0..<50).map { k in
            TestData.spec(
                "chaos-\(k)", data: TestData.file(bars: bars, seed: UInt64(100 + k % 5)), strategy: "simple",
                ["seed": .int(k), "probability": .double(0.4), "max_fraction": .double(0.3)], mode: .paper,
                checkpointEvery: 1_000, paceMs: paceMs)
        }
        try await TestCluster.with(environment: ["ATS_OUTBOX_LIMIT": "4096"]) { cluster in
            let ids = ["w1", "w2", "w3"]
            for id in ids { try cluster.startWorker(id, capacity: 20) }
            for s in specs { _ = try await cluster.create(s) }
            try await waitUntil("all 50 running", timeout: .seconds(60)) {
                try await cluster.jobs().allSatisfy { $0.status == .running }
            }
            let start = ContinuousClock.now
            let wallStart = Date()
            var kills: [(at: Date, worker: String, jobs: [String])] = []
            var rng = SystemRandomNumberGenerator()
            while ContinuousClock.now - start < killPhase {
                try await Task.sleep(for: .seconds(5))
                let victim = ids.randomElement(using: &rng)!
                let held = try await cluster.jobs().filter { $0.leaseOwner == victim && !$0.status.isTerminal }
                    .map(\.name)
                cluster.workers[victim]?.signal(SIGKILL)
                kills.append((Date(), victim, held))
                _ = await cluster.workers[victim]?.waitForExit()
                try await Task.sleep(for: .seconds(1))  // RestartSec=1
                try cluster.startWorker(victim, capacity: 20)
            }
            let done = try await cluster.waitForJobs(specs.map(\.name), timeout: .seconds(Self.long ? 600 : 180))
            let elapsed = Date().timeIntervalSince(wallStart)
            #expect(done.allSatisfy { $0.status == .completed }, "every job completes")

            // Time to resume: from the kill to the job's next assignment.
            var resumes: [Double] = []
            for kill in kills {
                for name in kill.jobs {
                    let next = try await cluster.events(name).first { $0.kind == "assigned" && $0.at > kill.at }
                    if let next { resumes.append(next.at.timeIntervalSince(kill.at)) }
                }
            }
            let check = try await FillCheck.run(specs, cluster: cluster)
            let lease = 3.0
            print(
                """
                FAULTS scenario 1 (kill -9 a random worker every 5 s, restart after 1 s): \
                \(kills.count) kills over \(Int(killPhase / .seconds(1))) s, 3 workers, \(specs.count) jobs
                FAULTS \(check)
                FAULTS throughput: \(String(format: "%.0f", Double(check.stored) / elapsed)) fills/s stored over \
                \(String(format: "%.1f", elapsed)) s
                FAULTS resume after kill (\(resumes.count) jobs): p50 \(String(format: "%.2f", percentile(resumes, 50))) s, \
                p99 \(String(format: "%.2f", percentile(resumes, 99))) s, max \(String(format: "%.2f", resumes.max() ?? .nan)) s \
                (lease timeout \(lease) s, heartbeat 0.3 s)
                """)
            #expect(check.isClean, "\(check)")
            #expect(check.expected > 0 && kills.count >= 5)
            #expect(resumes.count > 0, "some killed worker held jobs")
        }
    }
}
