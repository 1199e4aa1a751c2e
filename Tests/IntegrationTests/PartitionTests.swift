import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Scenario 2 of the fault suite (docs/RELIABILITY.md): a worker on another "host" (a network
/// namespace joined by a veth link) is cut off from the coordinator. It must stop its job by
/// itself before the coordinator hands the job to another worker, and nothing may be lost or
/// duplicated.
@Suite(.serialized)
struct PartitionTests {
    @Test func aPartitionedWorkerStopsItsJobBeforeItsSuccessorStarts() async throws {
        let partitionLength: Duration = FaultInjectionTests.long ? .seconds(60) : .seconds(10)
        let spec = TestData.spec(
            "partitioned", data: TestData.file(bars: 20_000, seed: 23), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)], mode: .paper, checkpointEvery: 1_000, paceMs: 1)
        let host = try NetworkNamespace(index: 1)
        defer { host.remove() }
        try await TestCluster.with(environment: ["ATS_WORKER_HOST": "0.0.0.0"]) { cluster in
            let remote = try cluster.startWorker(
                "remote", coordinators: "\(host.hostAddress):\(cluster.workerPort)", launcher: host.launcher)
            _ = try await cluster.create(spec)
            try await waitUntil("running on the remote worker", timeout: .seconds(60)) {
                let job = try await cluster.job("partitioned")
                return job.leaseOwner == "remote" && job.barsDone >= 1_200
            }
            try cluster.startWorker("local")
            let cut = Date()
            try host.partition()
            try await waitUntil("the job moved to the local worker", timeout: .seconds(30)) {
                try await cluster.job("partitioned").leaseOwner == "local"
            }
            try await Task.sleep(until: .now + partitionLength - .seconds(Date().timeIntervalSince(cut)))
            try host.heal()
            let done = try await cluster.waitForJobs(["partitioned"], timeout: .seconds(120))
            #expect(done.first?.status == .completed)

            // The remote worker stopped the job before the coordinator gave it to the local one.
            let fenced = try #require(
                remote.log.firstMatch(of: /fenced_at_ms=(\d+)/).flatMap { Int64($0.1) },
                "the remote worker fenced itself: \(remote.log.suffix(2000))")
            let handedOver = try #require(
                try await cluster.events("partitioned").first { $0.kind == "assigned" && $0.detail.contains("local") })
            let fencedAt = Date(timeIntervalSince1970: Double(fenced) / 1000)
            print(
                "FAULTS scenario 2 (partition \(Int(partitionLength / .seconds(1))) s): remote worker fenced "
                    + String(format: "%.3f", fencedAt.timeIntervalSince(cut)) + " s after the cut, job handed over "
                    + String(format: "%.3f", handedOver.at.timeIntervalSince(cut))
                    + " s after (lease 3 s, heartbeat 0.3 s)")
            #expect(fencedAt < handedOver.at, "fenced at \(fencedAt), handed over at \(handedOver.at)")
            let check = try await FillCheck.run([spec], cluster: cluster)
            print("FAULTS scenario 2 \(check)")
            #expect(check.isClean, "\(check)")
        }
    }
}
