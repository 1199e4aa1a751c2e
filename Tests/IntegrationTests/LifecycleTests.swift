import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Operator actions and failures over time: stop and start, a frozen worker, a draining worker.
@Suite(.serialized)
struct LifecycleTests {
    static func paced(_ name: String, bars: Int = 3_000) -> JobSpec {
        TestData.spec(
            name, data: TestData.file(bars: bars, seed: 17), strategy: "sma_cross", ["fast": .int(3), "slow": .int(9)],
            mode: .paper, checkpointEvery: 1_000, paceMs: 1)
    }

    func sameFills(_ cluster: TestCluster, _ spec: JobSpec) async throws {
        let stored = try await cluster.fills(spec.name).map(\.fill)
        let expected = try InProcessRun.run(spec).fills
        #expect(stored.count == expected.count, "\(spec.name): \(stored.count) stored, \(expected.count) expected")
        #expect(stored == expected, "\(spec.name): fills differ from the in-process run")
    }

    @Test func stopThenStartResumesFromTheCheckpointWithTheSameFills() async throws {
        // Long enough (8 s paced) that the stop lands mid-run even on a loaded machine. The test is
        // about stop and start, and checks the exact audit trail: a lease long enough that a stall
        // of the shared test database (another test's DROP DATABASE forces a checkpoint) cannot
        // make the worker fence itself in between (fencing has its own tests).
        let spec = Self.paced("stop-start", bars: 8_000)
        try await TestCluster.with(environment: ["ATS_LEASE_TIMEOUT_MS": "15000", "ATS_HEARTBEAT_MS": "1000"]) {
            cluster in
            try cluster.startWorker("w1")
            _ = try await cluster.create(spec)
            try await waitUntil("past the first checkpoint", timeout: .seconds(60)) {
                try await cluster.job("stop-start").barsDone >= 1_200
            }
            #expect(try await cluster.request("POST", "api/jobs/stop-start/stop").status == 200)
            try await waitUntil("stopped", timeout: .seconds(20)) {
                try await cluster.job("stop-start").status == .stopped
            }
            let stopped = try await cluster.job("stop-start")
            #expect(stopped.barsDone < 8_000)
            let checkpoints = try JSONCoding.decoder().decode(
                [CheckpointRecord].self, from: try await cluster.request("GET", "api/jobs/stop-start/checkpoints").body)
            // The stop checkpoints where the job stood: at or past the last progress it reported
            // (a stop noticed right after a periodic checkpoint lands on a multiple of 1,000).
            let last = try #require(checkpoints.map(\.cursor).max())
            #expect(last > 1_000 && last >= stopped.barsDone, "checkpoint at \(last), progress \(stopped.barsDone)")
            // The worker sent them compressed; the start below resumes from one.
            for c in checkpoints {
                let plain = try #require(c.plainBytes, "at \(c.cursor): stored plain")
                #expect(c.bytes < plain, "at \(c.cursor): \(c.bytes) bytes of \(plain)")
            }

            #expect(try await cluster.request("POST", "api/jobs/stop-start/start").status == 200)
            let done = try await cluster.waitForJobs(["stop-start"], timeout: .seconds(60))
            #expect(done.first?.status == .completed && done.first?.epoch == 2)
            try await sameFills(cluster, spec)
            let kinds = try await cluster.events("stop-start").map(\.kind)
            #expect(
                kinds == [
                    "created", "assigned", "stop_requested", "stopped", "start_requested", "assigned", "completed",
                ])
        }
    }

    @Test func aFrozenWorkerLosesItsLeaseAndTheJobMoves() async throws {
        // Six seconds of bars, and frozen before the other worker starts: the job must still be
        // running when the worker stops (on a loaded machine the progress seen lags the worker).
        let spec = Self.paced("frozen", bars: 6_000)
        try await TestCluster.with { cluster in
            let frozen = try cluster.startWorker("frozen")
            _ = try await cluster.create(spec)
            try await waitUntil("past the first checkpoint", timeout: .seconds(60)) {
                try await cluster.job("frozen").barsDone >= 1_200
            }
            frozen.signal(SIGSTOP)  // alive but silent: no heartbeats
            try cluster.startWorker("thawed")
            let done = try await cluster.waitForJobs(["frozen"], timeout: .seconds(60))
            #expect(done.first?.status == .completed)
            #expect(
                try await cluster.events("frozen").contains { $0.kind == "assigned" && $0.detail.contains("thawed") })
            frozen.signal(SIGCONT)  // it wakes up with a stale epoch: nothing it sends may count
            try await Task.sleep(for: .seconds(1))
            #expect(try await cluster.job("frozen").status == .completed)
            try await sameFills(cluster, spec)
        }
    }

    @Test func aWorkerCutOffFromTheCoordinatorStopsItsJobsBeforeItsLeaseRunsOut() async throws {
        let spec = Self.paced("cut-off", bars: 6_000)
        // An outbox large enough not to pause the job while the coordinator is away: the test is
        // about the lease, not about backpressure (a paused job trades nothing either).
        try await TestCluster.with(environment: ["ATS_OUTBOX_LIMIT": "100000"]) { cluster in
            let worker = try cluster.startWorker("cut-off")
            _ = try await cluster.create(spec)
            try await waitUntil("past the first checkpoint", timeout: .seconds(60)) {
                try await cluster.job("cut-off").barsDone >= 1_200
            }
            // Frozen, the coordinator renews nothing, echoes nothing and reassigns nothing: whatever
            // stops the job now, the worker does it alone, as it must before its lease (3 s) lapses.
            cluster.coordinator.signal(SIGSTOP)
            try await waitUntil("the worker fenced itself", timeout: .seconds(8)) {
                worker.log.contains("self-fencing")
            }
            #expect(!worker.log.contains("job completed"), "stopped, not run to its end")
            cluster.coordinator.signal(SIGCONT)
            let done = try await cluster.waitForJobs(["cut-off"], timeout: .seconds(90))
            #expect(done.first?.status == .completed && (done.first?.epoch ?? 0) >= 2, "resumed under a new epoch")
            try await sameFills(cluster, spec)
        }
    }

    @Test func workersRideOutACoordinatorCrashAndItsRestart() async throws {
        let specs = [Self.paced("restart-a", bars: 4_000), Self.paced("restart-b", bars: 4_000)]
        try await TestCluster.with { cluster in
            // w1 lists a dead address first: it tries the next one.
            let dead = try freePort()
            let w1 = try cluster.startWorker(
                "w1", capacity: 1, coordinators: "127.0.0.1:\(dead),127.0.0.1:\(cluster.workerPort)")
            let w2 = try cluster.startWorker("w2", capacity: 1)
            for s in specs { _ = try await cluster.create(s) }
            try await waitUntil("both running", timeout: .seconds(60)) {
                try await cluster.jobs().allSatisfy { $0.barsDone >= 1_200 }
            }
            try await cluster.restartCoordinator(kill: true)
            let done = try await cluster.waitForJobs(specs.map(\.name), timeout: .seconds(90))
            #expect(done.allSatisfy { $0.status == .completed })
            for s in specs { try await sameFills(cluster, s) }
            for w in [w1, w2] {
                #expect(
                    w.log.components(separatedBy: "connected to coordinator").count - 1 >= 2, "\(w.name) reconnected")
                #expect(w.isRunning, "\(w.name) kept running")
            }
        }
    }

    /// A coordinator stops on SIGTERM while a live stream is open (a dashboard, `/api/stream`):
    /// the stream ends first. It used to wait for the stream for ever, until it was killed.
    @Test func aCoordinatorStopsOnSIGTERMWithALiveStreamOpen() async throws {
        try await TestCluster.with { cluster in
            let stream = try RawConnection(port: cluster.httpPort, receiveTimeout: 10)
            stream.send(
                Array(
                    "GET /api/stream?topics=jobs,events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(TestCluster.adminToken)\r\n\r\n"
                        .utf8))
            let first = String(decoding: await stream.readSome() ?? [], as: UTF8.self)
            #expect(first.hasPrefix("HTTP/1.1 200") && first.contains("text/event-stream"), "\(first)")
            let coordinator = cluster.coordinators[0]
            coordinator.signal(SIGTERM)
            let status = await coordinator.waitForExit(timeout: .seconds(20))
            #expect(status != nil, "still running 20 s after SIGTERM: \(coordinator.log.suffix(2000))")
            #expect(await stream.readUntilClosed() != nil, "the stream was ended")
        }
    }

    @Test func aDrainingWorkerHandsItsJobsOverOnSIGTERM() async throws {
        // Ten seconds of bars each: the drain must find them running on a loaded machine too (at
        // three seconds, a slow start of the second worker once let them finish first).
        let specs = [Self.paced("drain-a", bars: 10_000), Self.paced("drain-b", bars: 10_000)]
        try await TestCluster.with { cluster in
            let leaving = try cluster.startWorker("leaving")
            for s in specs { _ = try await cluster.create(s) }
            try await waitUntil("both running", timeout: .seconds(60)) {
                try await cluster.jobs().allSatisfy { $0.barsDone >= 500 }
            }
            try cluster.startWorker("staying")
            leaving.signal(SIGTERM)
            #expect(await leaving.waitForExit(timeout: .seconds(30)) == 0, "drains and exits cleanly")
            let done = try await cluster.waitForJobs(specs.map(\.name), timeout: .seconds(90))
            #expect(done.allSatisfy { $0.status == .completed })
            for s in specs {
                try await sameFills(cluster, s)
                let assigned = try await cluster.events(s.name).filter { $0.kind == "assigned" }
                #expect(
                    assigned.last?.detail.contains("staying") == true
                        && assigned.last?.detail.contains("from the checkpoint at bar") == true)
                let kinds = try await cluster.events(s.name).map(\.kind)
                #expect(kinds.contains("released"), "handed back explicitly, not left to expire: \(kinds)")
                #expect(
                    assigned.dropFirst().allSatisfy { $0.detail.contains("staying") },
                    "never assigned back to the draining worker")
            }
        }
    }

    @Test func theCLIDrivesTheClusterWithMeaningfulExitCodes() async throws {
        let data = TestData.relative(TestData.file(bars: 5_000, seed: 2))
        try await TestCluster.with { cluster in
            try cluster.startWorker("w1")
            let yaml = TestData.directory + "/cli-job.yaml"
            try """
            name: from-yaml
            data: {path: \(data)}
            exchange: {symbol: {base: BTC, quote: USDT}}
            strategy:
              namespace: strategies:rsi_reversion
              config: {period: 10}
            """.write(toFile: yaml, atomically: true, encoding: .utf8)
            var r = try await cluster.ats(["job", "create", "--file", yaml])
            #expect(r.status == 0 && r.output.contains("created job"), "\(r.output)")
            r = try await cluster.ats([
                "job", "create", "--name", "from-flags", "--data", data, "--strategy", "sma_cross", "--param", "fast=5",
                "--param", "slow=20",
            ])
            #expect(r.status == 0, "\(r.output)")
            r = try await cluster.ats(["job", "wait", "--timeout", "60"])
            #expect(r.status == 0, "\(r.output)")
            r = try await cluster.ats(["job", "list"])
            #expect(r.output.contains("from-yaml") && r.output.contains("completed"))
            r = try await cluster.ats(["job", "show", "from-flags", "--json"])
            let shown = try JSONCoding.decoder().decode(JobRecord.self, from: Data(r.output.utf8))
            #expect(shown.status == .completed && shown.spec?.run.strategy.config["fast"] == .int(5))
            r = try await cluster.ats(["job", "fills", "from-flags", "--limit", "2", "--json"])
            #expect(try JSONCoding.decoder().decode([FillRow].self, from: Data(r.output.utf8)).map(\.seq) == [0, 1])

            r = try await cluster.ats([
                "job", "create", "--name", "bad", "--data", data, "--strategy", "sma_cross", "--param", "fast=x",
            ])
            #expect(r.status == 3 && r.output.contains("strategy.config.fast"))
            r = try await cluster.ats(["job", "show", "nope"])
            #expect(r.status == 4)
            r = try await cluster.ats(["job", "start", "from-yaml"])
            #expect(r.status == 5 && r.output.contains("completed"))
            r = try await cluster.ats(["job", "list"], token: "wrong-token-wrong-token")
            #expect(r.status == 7)
            r = try await cluster.ats(["job", "list"], url: "http://127.0.0.1:\(try freePort())")
            #expect(r.status == 6)
            r = try await cluster.ats(["worker", "list", "--json"])
            #expect(r.output.contains("\"w1\"") && r.output.contains("\"assigned_jobs\""))
            r = try await cluster.ats(["worker", "list"])
            #expect(
                r.output.contains("RUNNING") && r.output.contains("WAITING") && r.output.contains("w1"), "\(r.output)")
        }
    }

    /// A job no connected worker can run says why (the label none has) in the API and `ats job
    /// show`, and runs once a worker that has it connects; the reason then goes.
    @Test func aJobNoWorkerCanRunSaysWhyUntilOneCan() async throws {
        let data = TestData.file(bars: 2_000, seed: 4)
        try await TestCluster.with { cluster in
            let spec = TestData.spec(
                "needs-gpu", data: data, strategy: "sma_cross", ["fast": .int(3), "slow": .int(8)], labels: ["gpu"])
            _ = try await cluster.create(spec)
            // No worker at all, then one without the label: the reason follows what is connected.
            var why: String?
            try await waitUntil("the job says why it waits", timeout: .seconds(30)) {
                why = try await cluster.job("needs-gpu").waitingFor
                return why != nil
            }
            #expect(why == "no worker is connected (draining ones take no job)")
            try cluster.startWorker("plain")
            try await waitUntil("the reason names the label", timeout: .seconds(30)) {
                why = try await cluster.job("needs-gpu").waitingFor
                return why != "no worker is connected (draining ones take no job)"
            }
            #expect(why == "no connected worker has the label gpu")
            let shown = try await cluster.ats(["job", "show", "needs-gpu"])
            #expect(shown.output.contains("WAITING     no connected worker has the label gpu"), "\(shown.output)")
            let listed = try JSONCoding.decoder().decode(
                [JobRecord].self, from: try await cluster.request("GET", "api/jobs?status=pending").body)
            #expect(listed.first { $0.name == "needs-gpu" }?.waitingFor == why)
            // A sweep's chunks likewise.
            let created = try await cluster.ats([
                "sweep", "create", "--name", "gpu-sweep", "--data", TestData.relative(data), "--label", "gpu",
                "--strategy", "sma_cross", "--param", "fast=int:2..3:1", "--param", "slow=8",
            ])
            #expect(created.status == 0, "\(created.output)")
            try await waitUntil("the sweep says why it waits", timeout: .seconds(30)) {
                try await cluster.ats(["sweep", "show", "gpu-sweep"]).output.contains(
                    "WAITING     no connected worker has the label gpu")
            }
            try cluster.startWorker("gpu-1", labels: ["gpu"])
            let done = try #require(try await cluster.waitForJobs(["needs-gpu"], timeout: .seconds(60)).first)
            #expect(done.status == .completed && done.leaseOwner == nil && done.waitingFor == nil)
        }
    }

    @Test func standaloneBacktestPaperModeAndReportFromTheCLI() async throws {
        // No cluster and no database: `ats backtest` is the embedded default for one machine.
        let data = TestData.file(bars: 400, seed: 6)
        let report = TestData.directory + "/report-\(UUID().uuidString.prefix(6)).html"
        let p = try ChildProcess(
            "ats", name: "ats-backtest", environment: [:],
            arguments: [
                "backtest", "--data", data, "--strategy", "sma_cross", "--param", "fast=3", "--param", "slow=8",
                "--paper", "--pace-ms", "1", "--report", report,
            ])
        #expect(await p.waitForExit(timeout: .seconds(60)) == 0, "\(p.log)")
        let expected = try InProcessRun.run(
            TestData.spec("x", data: data, strategy: "sma_cross", ["fast": .int(3), "slow": .int(8)]))
        let printed = p.log.split(separator: "\n").filter { $0.contains("  #") }
        #expect(printed.count == expected.fills.count, "paper mode prints every fill as it happens")
        #expect(printed.first?.contains("#0  BUY") == true)
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("<h2>Trades</h2>") && html.contains("xxh3:"))

        // The end-of-run summary in text and JSON: P&L per round trip at its percentiles, as
        // this process books the same run, and trading nothing beside it.
        let arguments = [
            "backtest", "--data", data, "--strategy", "sma_cross", "--param", "fast=3", "--param", "slow=8", "--quiet",
        ]
        let json = try ChildProcess("ats", name: "ats-json", environment: [:], arguments: arguments + ["--json"])
        #expect(await json.waitForExit(timeout: .seconds(60)) == 0, "\(json.log)")
        // JSONDecoder reads the doubles back exactly (JSONSerialization here may not, in the last digit).
        struct Printed: Decodable {
            struct Summary: Decodable {
                var pnl_percentiles: [String: Double]
                var worst: Double?
                var best: Double?
                var no_trade_final_equity: Double
                var no_trade_return: Double
            }
            var trade_summary: Summary
        }
        let summary = try JSONDecoder().decode(Printed.self, from: Data(json.log.utf8)).trade_summary
        let spec = TestData.spec("x", data: data, strategy: "sma_cross", ["fast": .int(3), "slow": .int(8)])
        var local = try Registry.standard.makeSession(
            try spec.validate(with: .standard), options: SessionOptions(recordTrades: true))
        let bars = try BarCSVReader.read(path: data)
        local.run(bars, until: bars.count)
        let expectedSummary = TradeSummary(trades: local.trades)
        #expect(expectedSummary.pnlPercentiles.count == 5 && local.trades.count > 5)
        #expect(
            summary.pnl_percentiles
                == ["p5", "p25", "p50", "p75", "p95"].enumerated().reduce(into: [:]) {
                    $0[$1.element] = expectedSummary.pnlPercentiles[$1.offset]
                })
        #expect(summary.worst == expectedSummary.worst && summary.best == expectedSummary.best)
        #expect(summary.no_trade_final_equity == 100_000 && summary.no_trade_return == 0)
        let text = try ChildProcess("ats", name: "ats-text", environment: [:], arguments: arguments)
        #expect(await text.waitForExit(timeout: .seconds(60)) == 0)
        #expect(text.log.contains("P&L per trade") && text.log.contains("p50 "), "\(text.log)")
        #expect(text.log.contains("trading nothing") && text.log.contains("final equity 100000.00 (0.00%)"))

        let bad = try ChildProcess(
            "ats", name: "ats-bad", environment: [:], arguments: ["backtest", "--data", data, "--strategy", "nope"])
        #expect(await bad.waitForExit() == 3 && bad.log.contains("strategy.namespace"))
    }
}
