import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// The whole system as users run it: a coordinator process, worker processes, PostgreSQL, TCP.
@Suite(.serialized)
struct ClusterTests {
    func expectSameFills(_ stored: [FillRow], _ expected: [Fill], _ job: String) {
        #expect(stored.count == expected.count, "\(job): \(stored.count) fills stored, \(expected.count) in process")
        #expect(Set(stored.map(\.seq)).count == stored.count, "\(job): duplicate seq")
        for (row, fill) in zip(stored, expected) where row.fill != fill {
            Issue.record("\(job): fill \(fill.seq) differs: stored \(row.fill), in process \(fill)")
            return
        }
    }

    @Test func twentyJobsOnTwoWorkerProcessesEqualTheInProcessRuns() async throws {
        let data = TestData.file(bars: 30_000, seed: 11)
        var specs: [JobSpec] = []
        for k in 0..<10 {
            specs.append(
                TestData.spec("sma-\(k)", data: data, strategy: "sma_cross", ["fast": .int(3 + k), "slow": .int(30)]))
        }
        for k in 0..<5 {
            specs.append(TestData.spec("rsi-\(k)", data: data, strategy: "rsi_reversion", ["period": .int(6 + 2 * k)]))
        }
        for k in 0..<5 {
            specs.append(
                TestData.spec(
                    "short-\(k)", data: data, strategy: "sma_cross",
                    ["fast": .int(5 + k), "slow": .int(20), "direction": .string("long_short")],
                    exchange: ["market_fill": .string("close"), "allow_short": .bool(true)]))
        }
        // The test checks every job ran once, on its first epoch: a lease long enough that the
        // CPU starvation of a loaded two-core machine (debug daemons, other suites alongside) cannot
        // make a worker fence itself (fencing and reassignment have their own tests).
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "15000", "ATS_HEARTBEAT_MS": "1000"]) {
            cluster in
            try cluster.startWorker("w1", capacity: 3)
            try cluster.startWorker("w2", capacity: 3)
            for s in specs { _ = try await cluster.create(s) }
            let done = try await cluster.waitForJobs(specs.map(\.name), timeout: .seconds(180))
            #expect(
                done.allSatisfy { $0.status == .completed },
                "\(done.map { "\($0.name)=\($0.status) \($0.lastError ?? "")" })")
            var ranOn = Set<String>()
            for spec in specs {
                let expected = try InProcessRun.run(spec)
                #expect(!expected.fills.isEmpty)
                let stored = try await cluster.fills(spec.name)
                expectSameFills(stored, expected.fills, spec.name)
                let job = try await cluster.job(spec.name)
                #expect(job.statistics == expected.statistics, "\(spec.name) statistics")
                #expect(job.epoch == 1 && job.barsDone == 30_000)
                for e in try await cluster.events(spec.name) where e.kind == "assigned" {
                    ranOn.insert(String(e.detail.split(separator: ",")[0].dropFirst("worker ".count)))
                }
            }
            #expect(ranOn == ["w1", "w2"], "both worker processes ran jobs")
        }
    }

    @Test func aKilledWorkersJobsCompleteOnTheOtherWithNoDuplicateOrMissingFill() async throws {
        let data = TestData.file(bars: 3_000, seed: 5)
        let specs = (0..<2).map {
            TestData.spec(
                "paced-\($0)", data: data, strategy: "sma_cross", ["fast": .int(3 + $0), "slow": .int(8)], mode: .paper,
                checkpointEvery: 1_000, paceMs: 3)
        }
        // 9 s a job: the kill lands mid-run however late the loaded database shows its progress
        // (at 1 ms a bar, 3 s, both jobs once finished before it).
        try await TestCluster.with { cluster in
            let doomed = try cluster.startWorker("doomed", capacity: 2)
            try await waitUntil("doomed connected", timeout: .seconds(20)) {
                let r = try await cluster.request("GET", "api/workers")
                return String(decoding: r.body, as: UTF8.self).contains("\"connected\":true")
            }
            for s in specs { _ = try await cluster.create(s) }
            // Both run on the doomed worker; wait until each is past its first checkpoint.
            try await waitUntil("jobs past their first checkpoint", timeout: .seconds(60)) {
                let jobs = try await cluster.jobs()
                return jobs.count == 2 && jobs.allSatisfy { $0.leaseOwner == "doomed" && $0.barsDone >= 1_300 }
            }
            try cluster.startWorker("survivor", capacity: 2)
            doomed.signal(SIGKILL)
            let done = try await cluster.waitForJobs(specs.map(\.name), timeout: .seconds(120))
            #expect(done.allSatisfy { $0.status == .completed })
            for spec in specs {
                let job = try await cluster.job(spec.name)
                #expect(job.epoch == 2, "reassigned once")
                let events = try await cluster.events(spec.name)
                #expect(
                    events.contains {
                        $0.kind == "assigned" && $0.detail.contains("survivor")
                            && $0.detail.contains("from the checkpoint at bar")
                    })
                let expected = try InProcessRun.run(spec)
                expectSameFills(try await cluster.fills(spec.name), expected.fills, spec.name)
                #expect(job.statistics == expected.statistics)
            }
        }
    }

    @Test func garbageOrOversizeFramesCloseOnlyThatConnection() async throws {
        let data = TestData.file(bars: 1_500, seed: 8)
        let spec = TestData.spec(
            "steady", data: data, strategy: "sma_cross", ["fast": .int(3), "slow": .int(8)], mode: .paper,
            checkpointEvery: 1_000, paceMs: 4)
        // A job lease long enough that a stalled heartbeat on a loaded machine does not move the
        // job: the test is about the hostile connections, and checks the job never moved.
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "15000"]) { cluster in
            try cluster.startWorker("good", capacity: 1)
            _ = try await cluster.create(spec)
            try await waitUntil("job running", timeout: .seconds(30)) {
                try await cluster.job("steady").status == .running
            }

            let garbage = try RawConnection(port: cluster.workerPort)
            garbage.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + (0..<200).map { UInt8($0 % 256) })
            #expect(await garbage.readUntilClosed() != nil, "garbage: connection closed by the coordinator")

            let oversize = try RawConnection(port: cluster.workerPort)
            oversize.send([0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3])
            #expect(await oversize.readUntilClosed() != nil, "oversize length: connection closed")

            let unknownType = try RawConnection(port: cluster.workerPort)
            unknownType.send([0, 0, 0, 1, 250])
            #expect(await unknownType.readUntilClosed() != nil, "unknown type: connection closed")

            #expect(try await cluster.job("steady").status == .running, "the good worker still runs its job")
            let done = try await cluster.waitForJobs(["steady"], timeout: .seconds(60))
            #expect(done.first?.status == .completed && done.first?.epoch == 1, "never reassigned")
            expectSameFills(try await cluster.fills("steady"), try InProcessRun.run(spec).fills, "steady")
        }
    }

    @Test func wrongCredentialsAndUnknownVersionsAreRefusedWithAReason() async throws {
        try await TestCluster.with { cluster in
            let impostor = try cluster.startWorker("impostor", token: "not-the-token-at-all")
            let status = await impostor.waitForExit(timeout: .seconds(20))
            #expect(status != nil && status != 0, "a worker with a wrong token exits with an error")
            #expect(impostor.log.contains("bad worker credentials"))
            #expect(try await cluster.workerRecords().isEmpty, "nothing written for a refused worker")
            #expect(!cluster.coordinator.log.contains("not-the-token-at-all"), "tokens never reach the logs")

            let future = try await HandPeer(port: cluster.workerPort)
            future.send(.hello(future.hello("from-the-future", version: 99)))
            guard case .refuse(let refusal) = try await future.receive() else {
                Issue.record("a Refuse frame")
                return
            }
            #expect(refusal.code == .unsupportedVersion && refusal.supportedVersions == WireProtocol.supportedVersions)
            #expect(refusal.reason.contains("protocol version 99 is not supported"))
            #expect(await future.connection.readUntilClosed() != nil, "then closed")
        }
    }

    @Test func eventsPageForwardAndTheDefaultIsTheLatest() async throws {
        let spec = TestData.spec(
            "paged", data: TestData.file(bars: 1_000, seed: 1), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)])
        try await TestCluster.with { cluster in
            _ = try await cluster.create(spec)  // no worker: the job stays pending
            for action in ["stop", "start", "stop", "start", "stop"] {
                #expect(try await cluster.request("POST", "api/jobs/paged/\(action)").status == 200)
            }
            func page(_ query: String) async throws -> [JobEvent] {
                try JSONCoding.decoder().decode(
                    [JobEvent].self, from: try await cluster.request("GET", "api/jobs/paged/events?\(query)").body)
            }
            let all = try await page("after=0&limit=10000")
            #expect(all.count >= 6 && all.map(\.id) == all.map(\.id).sorted())
            var paged: [JobEvent] = []
            var after: Int64 = 0
            while true {
                let next = try await page("after=\(after)&limit=2")
                #expect(next.count <= 2)
                guard let last = next.last else { break }
                paged += next
                after = last.id
            }
            #expect(paged.map(\.id) == all.map(\.id))
            #expect(
                try await page("limit=2").map(\.id) == all.suffix(2).map(\.id),
                "without after: the latest, oldest first")
        }
    }

    @Test func invalidSpecsAreRefusedNamingTheFieldAndNothingIsStored() async throws {
        let data = TestData.file(bars: 1_000, seed: 1)
        try await TestCluster.with { cluster in
            func refusal(_ json: String) async throws -> (Int, String?) {
                let r = try await cluster.request("POST", "api/jobs", body: Data(json.utf8))
                let error = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any]
                #expect(error?["code"] as? String == "invalid_spec" && (error?["message"] as? String)?.isEmpty == false)
                return (r.status, error?["field"] as? String)
            }
            var good =
                try JSONSerialization.jsonObject(
                    with: TestData.spec("ok", data: data, strategy: "sma_cross", [:]).json()) as! [String: Any]
            func variant(_ change: (inout [String: Any]) -> Void) -> String {
                var v = good
                change(&v)
                return String(decoding: try! JSONSerialization.data(withJSONObject: v), as: UTF8.self)
            }
            let cases: [(String, String)] = [
                (variant { $0["strategy"] = ["namespace": "strategies:nope"] }, "strategy.namespace"),
                (
                    variant { $0["strategy"] = ["namespace": "strategies:sma_cross", "config": ["fast": "ten"]] },
                    "strategy.config.fast"
                ),
                (
                    variant {
                        $0["strategy"] = ["namespace": "strategies:sma_cross", "config": ["fast": 50, "slow": 20]]
                    }, "strategy.config.fast"
                ),
                (
                    variant { $0["strategy"] = ["namespace": "strategies:sma_cross", "config": ["speed": 5]] },
                    "strategy.config.speed"
                ),
                (variant { $0["exchange"] = ["symbol": ["base": "btc$", "quote": "USDT"]] }, "exchange.symbol.base"),
                (variant { $0["fees"] = ["namespace": "fees:generic", "config": ["taker": 3]] }, "fees.config.taker"),
                (variant { $0.removeValue(forKey: "data") }, "data"),
                // A live job trades a live market with a venue credential (LiveTradingTests).
                (variant { $0["mode"] = "live" }, "market"),
                (
                    variant {
                        $0["mode"] = "live"
                        $0["market"] = [
                            "venue": "binance", "endpoint": "testnet", "symbol": "BTCUSDT", "interval": "1m",
                        ]
                    }, "credentials"
                ),
                (variant { $0["credentials"] = "alice" }, "credentials"),
                (variant { $0["name"] = "has spaces" }, "name"),
            ]
            for (json, field) in cases {
                let (status, named) = try await refusal(json)
                #expect(status == 400 && named == field, "expected 400 naming \(field), got \(status) \(named ?? "-")")
            }
            #expect(try await refusal("{not json").0 == 400)
            let unauthorized = try await cluster.request(
                "POST", "api/jobs", body: Data(variant { _ in }.utf8), authorized: false)
            #expect(unauthorized.status == 401)
            #expect(try await cluster.jobs().isEmpty, "nothing was stored")
            good["name"] = "ok"
            #expect(try await cluster.request("POST", "api/jobs", body: Data(variant { _ in }.utf8)).status == 201)
            #expect(
                try await cluster.request("POST", "api/jobs", body: Data(variant { _ in }.utf8)).status == 409,
                "duplicate name")
        }
    }
}
