import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Two workers with the same id evicted each other (the default id was the host name), so their
/// jobs flapped and could run twice (issue 16, defect 7).
@Suite(.serialized)
struct WorkerIdentityTests {
    @Test func aSecondProcessUnderAConnectedWorkerIdIsRefusedAndTheFirstKeepsItsJob() async throws {
        let spec = TestData.spec(
            "held", data: TestData.file(bars: 3_000, seed: 5), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)],
            mode: .paper, checkpointEvery: 1_000, paceMs: 2)
        // A job lease long enough that a stalled heartbeat on a loaded machine does not move the
        // job: the test is about the second process, and checks the job never moved.
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "15000"]) { cluster in
            let first = try cluster.startWorker("same", capacity: 1)
            _ = try await cluster.create(spec)
            try await waitUntil("running", timeout: .seconds(30)) { try await cluster.job("held").status == .running }
            let second = try ChildProcess(
                "ats-worker", name: "worker-same-2",
                environment: [
                    "ATS_COORDINATOR": cluster.coordinatorList, "ATS_WORKER_ID": "same", "ATS_WORKER_CAPACITY": "1",
                    "ATS_WORKER_TOKEN": TestCluster.workerToken, "ATS_DATA_DIR": TestDataRoot.path,
                ])
            try await waitUntil("the second process is refused", timeout: .seconds(20)) {
                second.log.contains("the coordinator refused this worker id")
            }
            // Refused with the reason on its first connection: the refusal is written before the
            // coordinator closes (it used to be cut off by the close, and only a later attempt
            // might see it).
            #expect(!second.log.contains("end of stream before Welcome"), "\(second.log.prefix(600))")
            let done = try await cluster.waitForJobs(["held"], timeout: .seconds(90))
            await second.stop()
            #expect(done.first?.status == .completed)
            #expect(done.first?.epoch == 1, "never reassigned: the first process kept its connection and its job")
            let kinds = try await cluster.events("held").map(\.kind)
            #expect(!kinds.contains("lease_released") && !kinds.contains("lease_expired"), "\(kinds)")
            #expect(first.isRunning)
            let stored = try await cluster.fills("held").map(\.fill)
            #expect(stored == (try InProcessRun.run(spec).fills))
        }
    }
}
