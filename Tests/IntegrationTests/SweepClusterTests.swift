import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Sweeps on the cluster as an operator runs them (`ats sweep create` and `top`, real processes):
/// chunks on every free worker, a worker killed midway, and a leaderboard identical, bit for bit,
/// to the same sweep run on one machine.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct SweepClusterTests {
    static let search = [
        "--strategy", "sma_cross", "--param", "quantity=1", "--param", "fast=int:2..30:2", "--param",
        "slow=int:10..100:5", "--where", "fast < slow", "--objective", "sharpe:max", "--walk-forward",
        "rolling:train=10d,test=5d",
    ]

    /// Every one of `keys` the same in the cluster's report `a` and one machine's `b`, as sorted JSON.
    static func expectSame(_ a: [String: Any], _ b: [String: Any], _ keys: [String]) throws {
        func text(_ v: Any?) throws -> String {
            guard let v else { return "absent" }
            return String(
                decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]),
                as: UTF8.self)
        }
        for key in keys {
            let (distributed, alone) = (try text(a[key]), try text(b[key]))
            #expect(distributed == alone, "\(key): cluster \(distributed), one machine \(alone)")
        }
    }

    @Test func aSweepRanksAsOnOneMachineThoughAWorkerIsKilledMidway() async throws {
        let file = TestData.file(bars: 60_000, seed: 9)
        try await TestCluster.with { cluster in
            let add = try await cluster.ats(["data", "add", file, "--name", "bars-9"])
            #expect(add.status == 0, "\(add.output)")
            // w1 alone at first, so that it always holds a chunk while the sweep runs.
            let w1 = try cluster.startWorker("w1", capacity: 1)
            let created = try await cluster.ats(
                ["sweep", "create", "--name", "s1", "--data-set", "bars-9", "--chunk-trials", "9", "--tail-slots", "4"]
                    + Self.search)
            #expect(created.status == 0, "\(created.output)")
            let sweep = try JSONCoding.decoder().decode(
                SweepRecord.self, from: try await cluster.request("GET", "api/sweeps/s1").body)
            // fast 2..30 by 2, slow 10..100 by 5, fast < slow: 15 × 19 points less the 29 where fast ≥ slow.
            #expect(sweep.trials == 256 && sweep.spec?.data.hash != nil, "\(sweep)")
            // 29 chunks of 9, the last ones cut smaller for 4 slots, stored with the spec.
            #expect(sweep.spec?.tailSlots == 4, "\(sweep)")
            let cut = try #require(sweep.spec).plan.chunks(trialsPerChunk: 9, tail: 4).chunks
            #expect(sweep.chunks == cut.count && cut.count > 29 && cut.last!.trials < 9, "\(cut)")
            // w1 is killed with a chunk in hand once a few chunks are in: w2, started then, runs it again.
            try await waitUntil("three chunks in", timeout: .seconds(120)) {
                try await cluster.sweep("s1").chunksDone >= 3
            }
            // A report while it runs: the final one below folds only the chunks stored since
            // (and must still equal one machine's, bit for bit).
            let early = try await cluster.ats(["sweep", "top", "s1", "-n", "25", "--json"])
            #expect(early.status == 0, "\(early.output)")
            // Frozen first, so that the chunk it is seen holding cannot finish before the kill (its
            // last messages have a moment to land); thawed and tried again if it held none.
            var held = ""
            try await waitUntil("w1 frozen with a chunk in hand", timeout: .seconds(60), every: .milliseconds(10)) {
                w1.signal(SIGSTOP)
                try await Task.sleep(for: .milliseconds(300))
                for k in 0..<cut.count {
                    let chunk = try await cluster.job("s1:\(k)")
                    if chunk.leaseOwner == "w1" && (chunk.status == .running || chunk.status == .assigned) {
                        held = chunk.name
                        return true
                    }
                }
                w1.signal(SIGCONT)
                return false
            }
            w1.signal(SIGKILL)
            try cluster.startWorker("w2", capacity: 1)
            try await waitUntil("the sweep completed", timeout: .seconds(240)) {
                try await cluster.sweep("s1").state == "completed"
            }
            let done = try await cluster.sweep("s1")
            #expect(done.trialsDone == 256 && done.chunksDone == cut.count && done.chunksFailed == 0)
            let chunks = try await (0..<cut.count).asyncMap { try await cluster.job("s1:\($0)") }
            #expect(chunks.allSatisfy { $0.status == .completed })
            #expect(
                chunks.first { $0.name == held }.map { $0.epoch >= 2 && $0.leaseOwner == nil } == true,
                "the chunk w1 held, \(held), ran again elsewhere")
            #expect(try await cluster.jobs().isEmpty, "a sweep's chunks are not in the job list")

            // The same sweep on one machine: the same leaderboard and statistics, bit for bit.
            let top = try await cluster.ats(["sweep", "top", "s1", "-n", "25", "--json"])
            #expect(top.status == 0, "\(top.output)")
            let local = try await runTool(
                ChildProcess.binDirectory.appendingPathComponent("ats").path,
                ["sweep", "run", "--data", file, "--top", "25", "--json"] + Self.search,
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(local.status == 0, "\(local.output)")
            let a = try JSONSerialization.jsonObject(with: Data(top.output.utf8)) as! [String: Any]
            let b = try JSONSerialization.jsonObject(with: Data(local.output.utf8)) as! [String: Any]
            try Self.expectSame(
                a, b,
                [
                    "top", "trials", "failed", "bars", "deflated_sharpe", "probabilistic_sharpe", "overfitting",
                    "minimum_backtest_years", "data_years", "names", "objective", "walk_forward",
                ])
            #expect((a["top"] as? [Any])?.count == 25)
            // The research ledger: this sweep is the whole search on this strategy and data so far.
            let ledger = try #require(a["research_ledger"] as? [String: Any])
            #expect(ledger["trials"] as? Int == 256 && ledger["sweeps"] as? Int == 1, "\(ledger)")
            let byLedger = (ledger["deflated_sharpe"] as? [String: Any])?["value"] as? Double
            let bySweep = (a["deflated_sharpe"] as? [String: Any])?["value"] as? Double
            #expect(abs((byLedger ?? -1) - (bySweep ?? 1)) < 1e-9, "the same N and V, from sums")
            // 60,000 one-minute bars (41.7 days): tests from day 10 every 5 days, six whole ones.
            #expect(((a["walk_forward"] as? [String: Any])?["folds"] as? [Any])?.count == 6)
            // The best trial run again on this machine, from the cluster's definition and data set:
            // the sweep's statistics, bit for bit.
            let best = try #require(((a["top"] as? [[String: Any]])?.first)?["trial"] as? Int)
            let again = try await cluster.ats(["backtest", "--from-trial", "s1/\(best)", "--json"])
            #expect(again.status == 0, "\(again.output)")
            let rerun = try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as! [String: Any]
            #expect(rerun["same_as_sweep"] as? Bool == true, "\(again.output)")
            let bestStatistics = ((a["top"] as? [[String: Any]])?.first)?["statistics"] as? [String: Any]
            let (mine, theirs) = (
                try JSONSerialization.data(withJSONObject: rerun["statistics"] ?? [:], options: .sortedKeys),
                try JSONSerialization.data(withJSONObject: bestStatistics ?? [:], options: .sortedKeys)
            )
            #expect(mine == theirs)
            let text = try await cluster.ats(["backtest", "--from-trial", "s1/\(best)"])
            #expect(text.status == 0 && text.output.contains("the same as in the sweep, bit for bit"), "\(text.output)")
            // fast 10 (the fifth value) against slow 10 (the first): refused by the condition, no trial.
            let refused = try await cluster.ats(["backtest", "--from-trial", "s1/\(4 * 19)"])
            #expect(refused.status != 0 && refused.output.contains("no trial 76"), "\(refused.output)")
            // The heatmap of the two parameters: every trial in its cell, out of sample beside.
            let heat = try await cluster.ats(["sweep", "heatmap", "s1", "--x", "fast", "--y", "slow", "--json"])
            #expect(heat.status == 0, "\(heat.output)")
            let map = try JSONSerialization.jsonObject(with: Data(heat.output.utf8)) as! [String: Any]
            let cells = (map["in_sample"] as? [[Any]] ?? []).flatMap { $0 }.filter { $0 is Double }
            #expect((map["xs"] as? [Any])?.count == 15 && (map["ys"] as? [Any])?.count == 19 && cells.count == 256)
            #expect((map["out_of_sample"] as? [[Any]])?.count == 19)
            let unknown = try await cluster.ats(["sweep", "heatmap", "s1", "--x", "fast", "--y", "quantity"])
            #expect(unknown.status != 0 && unknown.output.contains("y: \"quantity\" is not a searched parameter"))
            // The best trial's equity, run again on the coordinator: its statistics the sweep's, its
            // last point the final equity, the folds' test windows beside it.
            let equity = try await cluster.request("GET", "api/sweeps/s1/trials/\(best)/equity?points=100")
            #expect(equity.status == 200)
            let curve = try JSONCoding.decoder().decode(SweepTrialCurve.self, from: equity.body)
            #expect(curve.sameAsSweep == true && curve.trial == best)
            #expect(curve.curve.equity.last == curve.curve.statistics.finalEquity)
            #expect(
                curve.curve.buyAndHold.first.map { abs($0 - 100_000) < 1_000 } == true,
                "\(curve.curve.buyAndHold.first ?? 0)")
            #expect((100...202).contains(curve.curve.times.count) && curve.curve.times == curve.curve.times.sorted())
            let set = try JSONCoding.decoder().decode(
                DatasetRecord.self, from: try await cluster.request("GET", "api/datasets/bars-9").body)
            #expect(curve.curve.times.first == set.firstMs && curve.curve.times.last == set.lastMs, "the whole span")
            #expect(try await cluster.request("GET", "api/sweeps/s1/trials/\(best)/equity?points=abc").status == 400)
            #expect(curve.testWindows.count == 6)
            #expect(try await cluster.request("GET", "api/sweeps/s1/trials/\(best)/equity?points=5").status == 400)
            #expect(try await cluster.request("GET", "api/sweeps/s1/trials/76/equity").status == 404)
            // The report as one HTML file.
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("s1-\(UUID().uuidString).html")
            defer { try? FileManager.default.removeItem(at: out) }
            let written = try await cluster.ats(["sweep", "report", "s1", "--out", out.path, "--top", "30"])
            #expect(written.status == 0 && written.output.contains("wrote"), "\(written.output)")
            let html = try String(contentsOf: out, encoding: .utf8)
            for needle in [
                "<h1>Sweep s1</h1>", "Deflated Sharpe ratio", "Probability of backtest overfitting",
                "Best trial: \(best)", "bit for bit", "<polyline", "Leaderboard (best 30 of 256)", "Walk-forward",
                "slow × fast", "out of sample (test windows joined)",
            ] {
                #expect(html.contains(needle), "the report holds \(needle)")
            }
            #expect(!html.contains("<script"), "a file with nothing to run")
            // And the text an operator reads.
            let show = try await cluster.ats(["sweep", "show", "s1"])
            #expect(
                show.status == 0 && show.output.contains("completed") && show.output.contains("deflated Sharpe ratio")
                    && show.output.contains("walk-forward efficiency"), "\(show.output)")

            // The research ledger: this search, listed with the set's name; forgotten by an admin,
            // audited, and the report then deflates by this sweep alone.
            let listed = try await cluster.ats(["sweep", "ledger", "--json"])
            let rows = try JSONCoding.decoder().decode([ResearchLedgerEntry].self, from: Data(listed.output.utf8))
            #expect(rows.count == 1, "\(listed.output)")
            let row = try #require(rows.first)
            #expect(row.strategy == "strategies:sma_cross" && row.data == set.hash && row.dataName == "bars-9")
            #expect(row.trials == 256 && row.sweeps == 1 && row.ran == 256 && row.sharpeStandardDeviation > 0)
            let table = try await cluster.ats(["sweep", "ledger"])
            #expect(table.output.contains("bars-9 (\(set.hash))") && table.output.contains("256"), "\(table.output)")
            let incomplete = try await cluster.ats(["sweep", "ledger", "--reset", "--strategy", row.strategy])
            #expect(incomplete.status != 0 && incomplete.output.contains("--data"))
            let reset = try await cluster.ats([
                "sweep", "ledger", "--reset", "--strategy", row.strategy, "--data", row.data,
            ])
            #expect(reset.status == 0 && reset.output.contains("forgot 256 trials in 1 sweeps"), "\(reset.output)")
            let emptied = try await cluster.ats(["sweep", "ledger", "--json"])
            #expect(
                try JSONCoding.decoder().decode([ResearchLedgerEntry].self, from: Data(emptied.output.utf8)).isEmpty)
            let twice = try await cluster.ats([
                "sweep", "ledger", "--reset", "--strategy", row.strategy, "--data", row.data,
            ])
            #expect(twice.status != 0 && twice.output.contains("no row"), "\(twice.output)")
            let audit = try await cluster.request("GET", "api/events?limit=1000")
            #expect(String(decoding: audit.body, as: UTF8.self).contains("research_ledger_reset"))
            let after = try await cluster.ats(["sweep", "top", "s1", "-n", "3", "--json"])
            let report = try JSONSerialization.jsonObject(with: Data(after.output.utf8)) as? [String: Any]
            #expect(report?["research_ledger"] == nil, "\(after.output.prefix(300))")
        }
    }

    @Test func aBayesianSweepAsksWhatOneMachineAsksThoughTheCoordinatorIsKilled() async throws {
        let file = TestData.file(bars: 100_000, seed: 11)
        let search = [
            "--strategy", "sma_cross", "--param", "quantity=1", "--param", "fast=int:2..30", "--param",
            "slow=int:10..100:5", "--where", "fast < slow", "--objective", "sharpe:max", "--search", "tpe",
            "--trials", "48", "--in-flight", "12", "--seed", "5",
        ]
        try await TestCluster.with { cluster in
            let add = try await cluster.ats(["data", "add", file, "--name", "bars-11"])
            #expect(add.status == 0, "\(add.output)")
            let workers = [try cluster.startWorker("w1", capacity: 1), try cluster.startWorker("w2", capacity: 1)]
            let created = try await cluster.ats(
                ["sweep", "create", "--name", "b1", "--data-set", "bars-11", "--chunk-trials", "4"] + search)
            #expect(created.status == 0, "\(created.output)")
            let sweep = try await cluster.sweep("b1")
            #expect(sweep.trials == 48 && sweep.chunks == 12, "four batches of three chunks: \(sweep)")
            // The leader killed once the second batch is asked, the workers frozen meanwhile so
            // that the last batch is still to ask: the next leader asks it from what PostgreSQL holds.
            try await waitUntil("the second batch asked", timeout: .seconds(120), every: .milliseconds(10)) {
                (try? await cluster.job("b1:3")) != nil
            }
            for w in workers { w.signal(SIGSTOP) }
            #expect((try? await cluster.job("b1:9")) == nil, "the last batch not asked before the kill")
            try await cluster.restartCoordinator(kill: true)
            for w in workers { w.signal(SIGCONT) }
            try await waitUntil("the sweep completed", timeout: .seconds(240)) {
                try await cluster.sweep("b1").state == "completed"
            }
            let done = try await cluster.sweep("b1")
            #expect(done.trialsDone == 48 && done.chunksDone == 12 && done.chunksFailed == 0)
            let top = try await cluster.ats(["sweep", "top", "b1", "-n", "48", "--json"])
            #expect(top.status == 0, "\(top.output)")
            let local = try await runTool(
                ChildProcess.binDirectory.appendingPathComponent("ats").path,
                ["sweep", "run", "--data", file, "--top", "48", "--json"] + search,
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(local.status == 0, "\(local.output)")
            let a = try JSONSerialization.jsonObject(with: Data(top.output.utf8)) as! [String: Any]
            let b = try JSONSerialization.jsonObject(with: Data(local.output.utf8)) as! [String: Any]
            try Self.expectSame(a, b, ["top", "trials", "failed", "deflated_sharpe", "overfitting", "names"])
            // Every trial asked once, each with parameters the condition accepts.
            let rows = try #require(a["top"] as? [[String: Any]])
            #expect(Set(rows.compactMap { $0["trial"] as? Int }) == Set(0..<48))
            #expect(
                rows.allSatisfy {
                    let p = $0["parameters"] as? [String: Any]
                    return ((p?["fast"] as? Int) ?? 99) < ((p?["slow"] as? Int) ?? 0)
                })
            // A trial of a later batch, run again from the cluster's stored ask: the same bits.
            let again = try await cluster.ats(["backtest", "--from-trial", "b1/40", "--json"])
            let rerun = try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any]
            #expect(rerun?["same_as_sweep"] as? Bool == true, "\(again.output)")
        }
    }

    @Test func earlyStoppingStopsWhatOneMachineStopsAfterThePilotsRanWhole() async throws {
        let file = TestData.file(bars: 60_000, seed: 9)
        let search = Self.search + ["--early-stop", "folds=2,margin=0,pilots=32"]
        try await TestCluster.with { cluster in
            let add = try await cluster.ats(["data", "add", file, "--name", "bars-9"])
            #expect(add.status == 0, "\(add.output)")
            try cluster.startWorker("w1", capacity: 1)
            try cluster.startWorker("w2", capacity: 1)
            // Both connected when it is created: its tail is cut for their two slots.
            try await waitUntil("w1 and w2 connected", timeout: .seconds(30)) {
                try await cluster.workerRecords().filter(\.connected).count == 2
            }
            let created = try await cluster.ats(
                ["sweep", "create", "--name", "e1", "--data-set", "bars-9", "--chunk-trials", "16"] + search)
            #expect(created.status == 0, "\(created.output)")
            try await waitUntil("the sweep completed", timeout: .seconds(240)) {
                try await cluster.sweep("e1").state == "completed"
            }
            let done = try await cluster.sweep("e1")
            #expect(done.trialsDone == 256 && done.chunksFailed == 0)
            // Its chunks cut after the pilots are cut as at creation: smaller at the end, for the
            // two slots connected then.
            #expect(done.spec?.tailSlots == 2 && done.chunksDone == done.chunks, "\(done)")
            // The pilots (about 32 of the 285 grid points, those with fast < slow) ran whole in
            // the first chunks; the others were held to their rule.
            let pilots = try #require(try await cluster.job("e1:0").spec?.sweep)
            let later = try #require(try await cluster.job("e1:\(done.chunks - 1)").spec?.sweep)
            let chosen = try #require(later.pilots)
            #expect(pilots.indices?.allSatisfy(chosen.contains) == true && pilots.stop == nil)
            #expect(later.stop?.thresholds.count == 2)

            let top = try await cluster.ats(["sweep", "top", "e1", "-n", "25", "--json"])
            let local = try await runTool(
                ChildProcess.binDirectory.appendingPathComponent("ats").path,
                ["sweep", "run", "--data", file, "--top", "25", "--json"] + search,
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(top.status == 0 && local.status == 0, "\(top.output) \(local.output)")
            let a = try JSONSerialization.jsonObject(with: Data(top.output.utf8)) as! [String: Any]
            let b = try JSONSerialization.jsonObject(with: Data(local.output.utf8)) as! [String: Any]
            try Self.expectSame(
                a, b, ["top", "trials", "failed", "failures", "deflated_sharpe", "overfitting", "walk_forward"])
            // Some trials stopped by their first folds, counted (N is every trial), none of the pilots.
            let failures = (a["failures"] as? [[String: Any]]) ?? []
            let stopped = failures.filter { ($0["reason"] as? String)?.hasPrefix("stopped early") == true }
                .reduce(0) { $0 + (($1["trials"] as? Int) ?? 0) }
            #expect(stopped > 0 && stopped < 256 - 32, "\(failures)")
            #expect(((a["deflated_sharpe"] as? [String: Any])?["trials"] as? Int) == 256)
            // Every trial one click away, the pilots' and the others' (a pilot chunk's range spans
            // the others': the trial's own chunk answers).
            let ranked = ((a["top"] as? [[String: Any]]) ?? []).compactMap { $0["trial"] as? Int }
            #expect(ranked.contains { !chosen.contains($0) } && ranked.count == 25)
            for trial in ranked + (pilots.indices ?? []).prefix(3) {
                let reply = try await cluster.request("GET", "api/sweeps/e1/trials/\(trial)")
                #expect(reply.status == 200, "trial \(trial): \(reply.status)")
            }
            // A trial stopped early, run again: nothing of its whole run to compare with, said so.
            var stoppedTrial: Int?
            for t in 0..<285 where !chosen.contains(t) {
                let reply = try await cluster.request("GET", "api/sweeps/e1/trials/\(t)")
                guard reply.status == 200 else { continue }
                let trial = try JSONCoding.decoder().decode(SweepTrial.self, from: reply.body)
                if trial.failure?.hasPrefix("stopped early at fold") == true {
                    stoppedTrial = t
                    break
                }
            }
            let again = try await cluster.ats(["backtest", "--from-trial", "e1/\(try #require(stoppedTrial))"])
            #expect(again.status == 0 && again.output.contains("the sweep stopped it early"), "\(again.output)")
            let show = try await cluster.ats(["sweep", "show", "e1"])
            #expect(show.output.contains("\(stopped) stopped early by their first folds"), "\(show.output)")
        }
    }

    @Test func mistakesAreRefusedWithTheirFieldAndChunksAreTheSweepsAlone() async throws {
        let file = TestData.file(bars: 2_000, seed: 3)
        try await TestCluster.with { cluster in
            let unknown = try await cluster.ats(
                [
                    "sweep", "create", "--name", "bad", "--data", TestData.relative(file), "--strategy", "sma_cross",
                    "--param", "fats=int:2..9",
                ])
            #expect(unknown.status != 0 && unknown.output.contains("param.fats"), "\(unknown.output)")
            let continuous = try await cluster.ats(
                [
                    "sweep", "create", "--name", "bad", "--data", TestData.relative(file), "--strategy", "sma_cross",
                    "--param", "fast=float:2..9",
                ])
            #expect(continuous.status != 0 && continuous.output.contains("search"), "\(continuous.output)")
            let tail = try await cluster.ats(
                [
                    "sweep", "create", "--name", "bad", "--data", TestData.relative(file), "--strategy", "sma_cross",
                    "--param", "fast=int:2..9", "--tail-slots", "1001",
                ])
            #expect(tail.status != 0 && tail.output.contains("tail_slots"), "\(tail.output)")
            // Refused as given, not replaced by the size chosen for a Bayesian sweep's batches.
            let chunk = try await cluster.ats(
                [
                    "sweep", "create", "--name", "bad", "--data", TestData.relative(file), "--strategy", "sma_cross",
                    "--param", "fast=int:2..9", "--search", "tpe", "--trials", "20", "--chunk-trials", "20000",
                ])
            #expect(chunk.status != 0 && chunk.output.contains("chunk_trials"), "\(chunk.output)")
            #expect(try await cluster.ats(["data", "add", file, "--name", "small"]).status == 0)
            let created = try await cluster.ats(
                [
                    "sweep", "create", "--name", "tiny", "--data-set", "small", "--strategy", "sma_cross",
                    "--param", "fast=int:2..4", "--param", "slow=30",
                ])
            #expect(created.status == 0 && created.output.contains("3 trials in 1 chunks"), "\(created.output)")
            // A chunk is the sweep's: not stopped on its own, not made by hand.
            let stop = try await cluster.request("POST", "api/jobs/tiny:0/stop")
            #expect(stop.status == 409, "\(String(decoding: stop.body, as: UTF8.self))")
            var forged = TestData.spec("forged", data: file, strategy: "sma_cross", [:])
            forged.sweep = try #require(try await cluster.job("tiny:0").spec?.sweep)
            let post = try await cluster.request("POST", "api/jobs", body: forged.json())
            #expect(post.status == 400 && String(decoding: post.body, as: UTF8.self).contains("sweep"))
            let paused = try await cluster.ats(["sweep", "pause", "tiny"])
            #expect(paused.status == 0 && paused.output.contains("paused"), "\(paused.output)")
            let list = try await cluster.ats(["sweep", "list"])
            #expect(
                list.status == 0 && list.output.contains("tiny") && list.output.contains("paused"), "\(list.output)")
            // Its data set is in use until the sweep is removed (named once, as the sweep).
            let inUse = try await cluster.ats(["data", "rm", "small"])
            #expect(inUse.status != 0 && inUse.output.contains("tiny (sweep)"), "\(inUse.output)")
            let removed = try await cluster.ats(["sweep", "rm", "tiny"])
            #expect(removed.status == 0 && removed.output.contains("removed sweep tiny"), "\(removed.output)")
            #expect(try await cluster.request("GET", "api/jobs/tiny:0").status == 404)
            let rm = try await cluster.ats(["data", "rm", "small"])
            #expect(rm.status == 0, "\(rm.output)")
            // A trial that failed in the sweep (fast above slow) fails again here: the same.
            #expect(try await cluster.ats(["data", "add", file, "--name", "small"]).status == 0)
            let mixed = try await cluster.ats(
                [
                    "sweep", "create", "--name", "mixed", "--data-set", "small", "--strategy", "sma_cross",
                    "--param", "fast=int:20..40:20", "--param", "slow=30",
                ])
            #expect(mixed.status == 0, "\(mixed.output)")
            try cluster.startWorker("w1")
            try await waitUntil("mixed completed", timeout: .seconds(60)) {
                try await cluster.sweep("mixed").state == "completed"
            }
            let failed = try await cluster.ats(["backtest", "--from-trial", "mixed/1"])
            #expect(
                failed.status == 0 && failed.output.contains("the trial fails")
                    && failed.output.contains("the same as in the sweep"), "\(failed.output)")
            let fine = try await cluster.ats(["backtest", "--from-trial", "mixed/0"])
            #expect(fine.status == 0 && fine.output.contains("the same as in the sweep, bit for bit"), "\(fine.output)")
        }
    }
}

extension TestCluster {
    /// A sweep as the API shows it.
    func sweep(_ ref: String) async throws -> SweepRecord {
        try JSONCoding.decoder().decode(SweepRecord.self, from: try await request("GET", "api/sweeps/\(ref)").body)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}
