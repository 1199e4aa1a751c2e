import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// PostgreSQL goes away under load and comes back: the coordinator keeps retrying, workers keep
/// their unacknowledged messages, and every fill ends up stored exactly once.
@Suite(.serialized)
struct DatabaseRestartTests {
    @Test func aPostgreSQLRestartUnderLoadLosesAndDuplicatesNoFill() async throws {
        try await PrivatePostgres.with(name: "pg-restart-\(UInt32.random(in: 0...UInt32.max))") { pg in
            let specs = (0..<4).map { k in
                TestData.spec(
                    "load-\(k)", data: TestData.file(bars: 5_000, seed: UInt64(30 + k)), strategy: "sma_cross",
                    ["fast": .int(2 + k), "slow": .int(7 + k)], mode: .paper, checkpointEvery: 1_000, paceMs: 1)
            }
            try await TestCluster.with(server: pg.url) { cluster in
                try cluster.startWorker("w1")
                try cluster.startWorker("w2")
                for s in specs { _ = try await cluster.create(s) }
                try await waitUntil("all running", timeout: .seconds(180)) {
                    try await cluster.jobs().allSatisfy { $0.barsDone >= 1_200 }
                }
                try await pg.stop()
                try await Task.sleep(for: .seconds(2))  // fills keep coming and cannot be stored
                try await pg.startAgain()
                do {
                    try await waitUntil("PostgreSQL accepts connections again", timeout: .seconds(30)) {
                        (try? await TestDatabase.withClient(pg.url) { client in
                            try await client.query("SELECT 1").collect().count
                        }) == 1
                    }
                } catch {
                    print("PostgreSQL log:\n\(pg.serverLog.suffix(3000))")
                    throw error
                }
                let done = try await cluster.waitForJobs(specs.map(\.name), timeout: .seconds(300))
                #expect(done.allSatisfy { $0.status == .completed }, "\(done.map { ($0.name, $0.status) })")
                for s in specs {
                    let stored = try await cluster.fills(s.name)
                    let expected = try InProcessRun.run(s).fills
                    #expect(stored.count == expected.count, "\(s.name): \(stored.count) stored, \(expected.count) made")
                    #expect(stored.map(\.fill) == expected, "\(s.name): fills differ from the in-process run")
                }
                #expect(cluster.coordinator.isRunning, "the coordinator survived")
            }
        }
    }
}
