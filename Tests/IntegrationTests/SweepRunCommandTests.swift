import ATSEngine
import ATSTestSupport
import Foundation
import Testing

/// `ats sweep run` as a trader runs it: the real binary over a CSV on disk.
struct SweepRunCommandTests {
    static var ats: String { ChildProcess.binDirectory.appendingPathComponent("ats").path }

    static let data: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ats-sweep-\(getpid()).csv").path
        let bars = SyntheticBars(seed: 5).generate(count: 5000)
        _ = FileManager.default.createFile(atPath: path, contents: Data(BarCSVWriter.csv(bars).utf8))
        return path
    }()

    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await runTool(Self.ats, arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    @Test func aGridRunsEveryAcceptedPointAndItsBestIsTheSameBacktestBitForBit() async throws {
        let result = try await run([
            "sweep", "run", "--data", Self.data, "--strategy", "sma_cross", "--param", "quantity=1",
            "--param", "fast=int:4..20:4", "--param", "slow=int:10..50:10", "--where", "fast * 2 <= slow",
            "--objective", "total_return:max", "--top", "3", "--json",
        ])
        #expect(result.status == 0, "\(result.output)")
        let report = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [String: Any]
        // fast 4..20 by 4, slow 10..50 by 10, fast * 2 <= slow: 4→5, 8→4, 12→3, 16→2, 20→2 points.
        #expect(report["trials"] as? Int == 16 && report["failed"] as? Int == 0)
        let top = report["top"] as! [[String: Any]]
        #expect(top.count == 3)
        let objectives = top.map { $0["objective"] as! Double }
        #expect(objectives == objectives.sorted(by: >))
        let deflated = report["deflated_sharpe"] as! [String: Any]
        #expect(deflated["trials"] as? Int == 16)
        #expect((report["overfitting"] as! [String: Any])["combinations"] as? Int == 12_870)
        // The best trial, run alone by `ats backtest`, gives the same statistics.
        let best = top[0]["parameters"] as! [String: Any]
        let alone = try await run([
            "backtest", "--data", Self.data, "--strategy", "sma_cross", "--param", "quantity=1",
            "--param", "fast=\(best["fast"]!)", "--param", "slow=\(best["slow"]!)", "--json", "--quiet",
        ])
        let statistics = try JSONSerialization.jsonObject(with: Data(alone.output.utf8)) as! [String: Any]
        let swept = top[0]["statistics"] as! [String: Any]
        for key in ["total_return", "sharpe", "max_drawdown", "round_trips", "final_equity"] {
            #expect("\(statistics[key]!)" == "\(swept[key]!)", "\(key)")
        }
    }

    @Test func mistakesAreRefusedBeforeAnyTrialRuns() async throws {
        let cases: [([String], String)] = [
            (["--param", "fsat=int:1..5"], "param.fsat: sma_cross has no such parameter"),
            (["--param", "fast=int:1..5", "--where", "fast < slwo"], "where: column 8: no parameter \"slwo\""),
            (["--param", "fast=int:5..1"], "param.fast: the low end 5.0 is above the high end 1.0"),
            (["--param", "fast=float:1..5"], "a grid needs a step"),
            (["--param", "fast=int:1..5", "--objective", "sharp"], "objective: expected STATISTIC"),
            (["--param", "fast=int:1..5", "--search", "anneal"], "search: grid, random or tpe"),
            (["--param", "fast=int:1..5", "--search", "tpe", "--trials", "20000"], "trials: 1 to 10,000 with tpe"),
            (["--param", "fast=int:1..5", "--search", "tpe", "--in-flight", "0"], "in_flight: 1 to 1,000"),
            (
                ["--param", "fast=int:1..5", "--param", "fast=3"],
                "param.fast: given both as a fixed value and as a range"
            ),
            (["--param", "fast=int:1..5", "--top", "0"], "top: at least 1"),
            (
                ["--param", "fast=int:1..5", "--walk-forward", "rolling:train=90d,test=30d"],
                "walk_forward: the data spans 3 days, too short"
            ),
            (
                [
                    "--param", "fast=int:1..5", "--walk-forward", "rolling:train=1d,test=12h", "--objective",
                    "max_drawdown:min",
                ],
                "objective: walk-forward ranks train windows by cagr, sharpe, sortino, total_return"
            ),
            (["--param", "fast=int:1..5", "--walk-forward", "rolling:train=1d"], "walk_forward: train and test"),
            // No trial the strategy accepts (slow below fast everywhere), or a run that cannot be
            // made: refused before any trial, with the first trial's reason and its field.
            (
                ["--param", "fast=int:40..50:10", "--param", "slow=int:10..20:10"],
                "strategy.config.fast: must be smaller than slow (10), got 40"
            ),
            (["--param", "fast=int:5..10:5", "--fee", "nosuch"], "fees.namespace: unknown fee model \"nosuch\""),
        ]
        for (arguments, message) in cases {
            let result = try await run(["sweep", "run", "--data", Self.data, "--strategy", "sma_cross"] + arguments)
            #expect(result.status == 3 && result.output.contains(message), "\(arguments): \(result.output)")
        }
    }

    @Test func failedTrialsAreCountedAndSaidWhy() async throws {
        let result = try await run([
            "sweep", "run", "--data", Self.data, "--strategy", "sma_cross", "--param", "fast=int:10..30:10",
            "--param", "slow=int:20..40:10", "--json",
        ])
        #expect(result.status == 0, "\(result.output)")
        let report = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [String: Any]
        // fast ≥ slow: (20, 20), (30, 20), (30, 30).
        #expect(report["trials"] as? Int == 9 && report["failed"] as? Int == 3)
        let failures = report["failures"] as! [[String: Any]]
        #expect(failures.map { $0["trials"] as! Int }.reduce(0, +) == 3)
        #expect((failures.first?["reason"] as? String)?.contains("fast") == true, "\(failures)")
        #expect((report["deflated_sharpe"] as! [String: Any])["trials"] as? Int == 9)
    }

    /// Walk-forward on 5,000 minutes (3.5 days): a day's training, then half a day's test, four
    /// times; each fold's choice and the test windows joined, in JSON and in the text.
    @Test func aWalkForwardReoptimisesEachFoldAndJoinsTheTestWindows() async throws {
        let arguments = [
            "sweep", "run", "--data", Self.data, "--strategy", "sma_cross", "--param", "fast=int:4..20:4",
            "--param", "slow=int:30..90:30", "--walk-forward", "rolling:train=1d,test=12h",
        ]
        let json = try await run(arguments + ["--json"])
        #expect(json.status == 0, "\(json.output)")
        let report = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as! [String: Any]
        let walk = try #require(report["walk_forward"] as? [String: Any])
        let folds = try #require(walk["folds"] as? [[String: Any]])
        #expect(folds.count == 4)
        #expect(folds.allSatisfy { ($0["test_to"] as! Int) - ($0["test_from"] as! Int) == 43_200_000 })
        #expect(folds.allSatisfy { ($0["parameters"] as? [String: Any])?["fast"] != nil })
        let returns = folds.map { $0["out_of_sample_return"] as! Double }
        let joined = returns.reduce(1) { $0 * (1 + $1) } - 1
        #expect(abs(joined - (walk["out_of_sample_return"] as! Double)) < 1e-12)
        #expect((walk["curve"] as? [Any])?.count == 4)
        let text = try await run(arguments)
        #expect(text.status == 0 && text.output.contains("walk-forward: 4 folds"), "\(text.output)")
        #expect(text.output.contains("walk-forward efficiency"))
    }

    @Test func aRandomSearchIsTheSameForTheSameSeed() async throws {
        let arguments = [
            "sweep", "run", "--data", Self.data, "--strategy", "sma_cross", "--param", "fast=int:3..30",
            "--param", "slow=int:10..90", "--where", "fast < slow", "--search", "random", "--trials", "12",
            "--seed", "9", "--json",
        ]
        let a = try await run(arguments)
        let b = try await run(arguments)
        #expect(a.status == 0, "\(a.output)")
        func ranked(_ output: String) throws -> [Int] {
            let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any]
            #expect(report["trials"] as? Int == 12)
            return (report["top"] as! [[String: Any]]).map { $0["trial"] as! Int }
        }
        #expect(try ranked(a.output) == ranked(b.output))
    }
}
