import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Trained models on the cluster (issue 20): registered once (an unsupported operator refused by
/// name), a job's strategy pinned to the model's hash when created, fetched by a worker that never
/// had it, and run with the same fills as this process running the file.
@Suite(.serialized)
struct ModelClusterTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelTests/Fixtures/models").standardizedFileURL

    static func config(_ model: [String: ParameterValue]) -> [String: ParameterValue] {
        model.merging([
            "features": .string("close_return|high_logret|volume_z|close_diff"), "std": .string("0.01|0.01|1|2"),
            "threshold": .double(0), "exit_threshold": .double(0.5), "std_period": .int(20),
        ]) { a, _ in a }
    }

    @Test func aJobRunsAClusterModelOnAWorkerThatNeverHadIt() async throws {
        let file = TestData.file(bars: 2_000, seed: 5)
        let onnx = Self.models.appendingPathComponent("torch_lstm_stream.onnx").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: onnx))
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("ats-models-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        try await TestCluster.with { cluster in
            let add = try await cluster.ats(["model", "add", onnx, "--name", "lstm-x", "--cluster"])
            #expect(add.status == 0, "\(add.output)")
            let record = try JSONCoding.decoder().decode(
                ModelRecord.self, from: try await cluster.request("GET", "api/models/lstm-x").body)
            #expect(record.hash == "xxh3:" + XXH3.hex(bytes) && record.bytes == Int64(bytes.count))
            #expect(record.summary.operators["LSTM"] == 1 && record.summary.inputs == ["x float [1, seq, 4]"])
            #expect(add.output.contains(record.hash))
            let refused = try await cluster.request(
                "POST", "api/models?name=bad",
                body: try Data(contentsOf: Self.models.appendingPathComponent("bad_unsupported.onnx")))
            let why = String(decoding: refused.body, as: UTF8.self)
            #expect(
                refused.status == 400 && why.contains("NonZero (×2), TopK") && why.contains("\"field\":\"file\""),
                "\(why)")

            let spec = TestData.spec("lstm-job", data: file, strategy: "lstm", Self.config(["name": .string("lstm-x")]))
            let created = try await cluster.create(spec)
            #expect(created.spec?.run.strategy.config["hash"] == .string(record.hash), "pinned to the model's hash")
            // A path names a file on one machine; an unknown name is named.
            for (config, field) in [
                (["path": ParameterValue.string(onnx)], "strategy.config.path"),
                (["name": ParameterValue.string("nowhere")], "strategy.config.name"),
            ] {
                let bad = TestData.spec("bad-\(field)", data: file, strategy: "lstm", Self.config(config))
                let reply = try await cluster.request("POST", "api/jobs", body: bad.json())
                let text = String(decoding: reply.body, as: UTF8.self)
                #expect(reply.status == 400 && text.contains("\"field\":\"\(field)\""), "\(text)")
            }

            let worker = try cluster.startWorker("w1", capacity: 1, environment: ["ATS_DATASET_CACHE_DIR": cache])
            let job = try #require(try await cluster.waitForJobs(["lstm-job"], timeout: .seconds(180)).first)
            #expect(job.status == .completed, "\(job.lastError ?? "") \(worker.log.suffix(1500))")
            // This process runs the same definition on the file: the same trades.
            var local = spec
            local.run.strategy.config = Self.config(["path": .string(onnx)])
            let expected = try InProcessRun.run(local).fills
            let got = try await cluster.fills("lstm-job")
            #expect(expected.count > 10)
            #expect(
                got.map { [Double($0.seq), Double($0.barIndex), $0.price, $0.quantity] }
                    == expected.map { [Double($0.seq), Double($0.barIndex), $0.price, $0.quantity] })
            #expect(worker.log.contains("model fetched"), "\(worker.log.suffix(1500))")
            #expect(FileManager.default.fileExists(atPath: cache + "/model-" + record.hash.dropFirst(5) + ".onnx"))

            // In use, a model stays; once its jobs are gone it may go.
            let inUse = try await cluster.ats(["model", "rm", "lstm-x", "--cluster"])
            #expect(inUse.status != 0 && inUse.output.contains("lstm-job"), "\(inUse.output)")
            let list = try await cluster.ats(["model", "list", "--cluster"])
            #expect(list.output.contains("lstm-x") && list.output.contains(record.hash), "\(list.output)")
            #expect(try await cluster.request("DELETE", "api/jobs/lstm-job").status == 200)
            let removed = try await cluster.ats(["model", "rm", "lstm-x", "--cluster"])
            #expect(removed.status == 0, "\(removed.output)")
            #expect(try await cluster.request("GET", "api/models/lstm-x").status == 404)
        }
    }

    /// A sweep over the `lstm` strategy's parameters on the cluster: the model pinned to its hash
    /// when the sweep is created, fetched by a worker that never had it, the leaderboard the one
    /// this process's `ats sweep run` makes from the file; after a coordinator restart its trials
    /// still run again there and on the operator's machine (the weights read from the cluster).
    @Test func aSweepOverAModelsStrategyRunsOnTheCluster() async throws {
        let file = TestData.file(bars: 2_000, seed: 8)
        let onnx = Self.models.appendingPathComponent("torch_lstm_stream.onnx").path
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("ats-no-models-\(UUID().uuidString)")
            .path
        let fixed = [
            "--param", "features=close_return|high_logret|volume_z|close_diff", "--param", "std=0.01|0.01|1|2",
            "--param", "exit_threshold=0.5", "--param", "std_period=20", "--param", "mode=stream",
        ]
        let search = ["--strategy", "lstm", "--param", "threshold=float:0..0.0015:0.0005", "--objective", "sharpe:max"]
        try await TestCluster.with { cluster in
            #expect(try await cluster.ats(["model", "add", onnx, "--name", "lstm-s", "--cluster"]).status == 0)
            #expect(try await cluster.ats(["data", "add", file, "--name", "bars-8"]).status == 0)
            let record = try JSONCoding.decoder().decode(
                ModelRecord.self, from: try await cluster.request("GET", "api/models/lstm-s").body)
            // Which model is not searched.
            let which = try await cluster.ats(
                ["sweep", "create", "--name", "bad", "--data-set", "bars-8", "--param", "name=choice:lstm-s,other"]
                    + fixed + search)
            #expect(which.status != 0 && which.output.contains("not which model"), "\(which.output)")
            let created = try await cluster.ats(
                [
                    "sweep", "create", "--name", "m1", "--data-set", "bars-8", "--chunk-trials", "2", "--tail-slots",
                    "0",
                    "--param",
                    "name=lstm-s",
                ]
                    + fixed + search)
            #expect(created.status == 0, "\(created.output)")
            let sweep = try JSONCoding.decoder().decode(
                SweepRecord.self, from: try await cluster.request("GET", "api/sweeps/m1").body)
            #expect(sweep.spec?.run.strategy.config["hash"] == .string(record.hash), "pinned to the model's hash")
            #expect(sweep.trials == 4 && sweep.chunks == 2 && sweep.spec?.tailSlots == 0)

            try cluster.startWorker("w1", capacity: 1, environment: ["ATS_DATASET_CACHE_DIR": empty + "-cache"])
            try await waitUntil("the sweep completed", timeout: .seconds(180)) {
                try await cluster.sweep("m1").state == "completed"
            }
            let done = try await cluster.sweep("m1")
            #expect(done.trialsDone == 4 && done.chunksFailed == 0)
            let top = try await cluster.ats(["sweep", "top", "m1", "-n", "4", "--json"])
            let local = try await runTool(
                ChildProcess.binDirectory.appendingPathComponent("ats").path,
                ["sweep", "run", "--data", file, "--top", "4", "--json", "--param", "path=\(onnx)"] + fixed + search,
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(top.status == 0 && local.status == 0, "\(top.output) \(local.output)")
            let a = try JSONSerialization.jsonObject(with: Data(top.output.utf8)) as! [String: Any]
            let b = try JSONSerialization.jsonObject(with: Data(local.output.utf8)) as! [String: Any]
            #expect(a["failed"] as? Int == 0 && a["trials"] as? Int == 4)
            try SweepClusterTests.expectSame(a, b, ["top", "trials", "failed", "deflated_sharpe", "overfitting"])
            let best = try #require(((a["top"] as? [[String: Any]])?.first?["trial"]) as? Int)

            // The model stays while the sweep is there.
            let inUse = try await cluster.ats(["model", "rm", "lstm-s", "--cluster"])
            #expect(inUse.status != 0 && inUse.output.contains("sweep m1"), "\(inUse.output)")

            // A new coordinator process has read no model: the trial's curve is run again there
            // all the same, and on this machine with the weights fetched from the cluster.
            try await cluster.restartCoordinator(kill: true)
            let equity = try await cluster.request("GET", "api/sweeps/m1/trials/\(best)/equity")
            #expect(equity.status == 200, "\(String(decoding: equity.body, as: UTF8.self).prefix(300))")
            let curve = try JSONCoding.decoder().decode(SweepTrialCurve.self, from: equity.body)
            #expect(curve.sameAsSweep == true && curve.trial == best)
            let again = try await cluster.ats(
                ["backtest", "--from-trial", "m1/\(best)", "--json"], environment: ["ATS_MODEL_DIR": empty])
            #expect(again.status == 0, "\(again.output)")
            let rerun = try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any]
            #expect(rerun?["same_as_sweep"] as? Bool == true, "\(again.output)")

            #expect(try await cluster.ats(["sweep", "rm", "m1"]).status == 0)
            #expect(try await cluster.ats(["model", "rm", "lstm-s", "--cluster"]).status == 0)
        }
    }
}
