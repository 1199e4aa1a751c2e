import ATSEngine
import Foundation
import Testing

/// Walk-forward: folds cut from the span, each trial's returns kept as sums per segment, and each
/// fold's choice and test window checked against a direct computation over the per-bar returns.
struct WalkForwardTests {
    static let day: Int64 = 86_400_000

    @Test func foldsFollowEachOtherAndTrainWhereTheKindSays() throws {
        let rolling = try WalkForward(parsing: "rolling:train=90d,test=30d,embargo=1d")
        let folds = rolling.folds(first: 0, end: 200 * Self.day)
        // Tests from day 91 every 30 days while a whole one fits: 91, 121, 151 (181 + 30 > 200).
        #expect(folds.map(\.testFrom) == [91, 121, 151].map { $0 * Self.day })
        #expect(folds.allSatisfy { $0.testTo - $0.testFrom == 30 * Self.day && $0.testFrom - $0.trainTo == Self.day })
        #expect(folds.allSatisfy { $0.trainTo - $0.trainFrom == 90 * Self.day })
        let anchored = try WalkForward(parsing: "anchored:train=90d,test=30d").folds(first: 0, end: 200 * Self.day)
        #expect(anchored.allSatisfy { $0.trainFrom == 0 && $0.trainTo == $0.testFrom })
        #expect(WalkForward.boundaries(anchored) == [0, 90, 120, 150, 180].map { $0 * Self.day })
        #expect(try WalkForward(parsing: "rolling:train=2w,test=12h").testMs == 12 * 3_600_000)
        #expect(rolling.folds(first: 0, end: 100 * Self.day).isEmpty, "no whole test window")
        for (text, field) in [
            ("weekly:train=1d,test=1d", "walk_forward"), ("rolling:train=1d", "walk_forward"),
            ("rolling:train=1y,test=1d", "walk_forward.train"), ("rolling:train=1d,test=1d,test=2d", "walk_forward"),
        ] {
            #expect(throws: SpecError.self, "\(text)") { try WalkForward(parsing: text) }
            do { _ = try WalkForward(parsing: text) } catch { #expect(error.field == field, "\(text)") }
        }
        // Spans that are not spans (a peer's words) make no folds, and too many folds are refused.
        #expect(rolling.folds(first: 10, end: 10).isEmpty && rolling.folds(first: .max - 5, end: .max).isEmpty)
        #expect(rolling.folds(first: .min, end: .max).isEmpty)
        let fine = try WalkForward(parsing: "rolling:train=1d,test=1m")
        let month = TrialRecords.Span(first: 0, end: 30 * Self.day)
        #expect(
            fine.problem(over: month)?.contains("more than 1000 folds") == true, "\(fine.problem(over: month) ?? "")")
        #expect(rolling.problem(over: TrialRecords.Span(first: 0, end: 200 * Self.day)) == nil)
        let json = try JSONEncoder().encode(rolling)
        #expect(String(decoding: json, as: UTF8.self) == "\"rolling:train=90d,test=30d,embargo=1d\"")
        #expect(try JSONDecoder().decode(WalkForward.self, from: json) == rolling)
    }

    /// The per-bar returns of a trial, computed here from a run's equity (independently of the
    /// sweep's own sums).
    static func returns(_ parameters: [String: ParameterValue], bars: BarSeries) throws -> [Double] {
        var spec = TrialEvaluationTests.base
        for (k, v) in parameters { spec.strategy.config[k] = v }
        var session = try Registry.builtIn.makeSession(
            Registry.builtIn.resolve(spec), options: SessionOptions(recordTrades: false, recordEquity: true))
        session.run(bars, until: bars.count)
        var previous = session.statistics(barInterval: bars.barInterval).initialEquity
        return session.equityCurve.map { e in
            defer { previous = e }
            return e / previous - 1
        }
    }

    @Test func eachFoldChoosesTheBestTrainWindowAndJoinsItsTestWindows() throws {
        let bars = SyntheticBars(seed: 21).generate(count: 30 * 1_440)  // 30 days of minutes
        let plan = try SweepPlan(
            params: ["fast=int:4..16:4", "slow=int:20..60:20"], condition: nil, search: .grid, trials: 0, seed: 0)
        let walk = try WalkForward(parsing: "rolling:train=6d,test=3d,embargo=1d")
        let span = TrialRecords.Span(bars)
        let folds = walk.folds(first: span.first, end: span.end)
        #expect(folds.count == 7)
        let boundaries = WalkForward.boundaries(folds)
        let trials = plan.trials(in: 0..<plan.space.gridCount!)
        let outcomes = trials.map {
            TrialEvaluation.run(
                index: $0.index, parameters: $0.parameters, base: TrialEvaluationTests.base, bars: bars,
                registry: .builtIn, blocks: 16, boundaries: boundaries)
        }
        // The sums are the returns' over each segment.
        let direct = try trials.map { try Self.returns($0.parameters, bars: bars) }
        func window(_ k: Int, _ from: Int64, _ to: Int64) -> [Double] {
            (0..<bars.count).filter { bars.time[$0] >= from && bars.time[$0] < to }.map { direct[k][$0] }
        }
        for (k, o) in outcomes.enumerated() {
            #expect(o.segments.count == boundaries.count - 1)
            for j in 0..<o.segments.count {
                let r = window(k, boundaries[j], boundaries[j + 1])
                #expect(o.segments[j].count == Double(r.count))
                #expect(abs(o.segments[j].sum - r.reduce(0, +)) < 1e-12)
            }
        }
        // Each fold: the trial whose train window has the best Sharpe ratio, computed directly.
        let goal = try SweepObjective(parsing: "sharpe:max")
        let summary = try #require(
            WalkForwardSummary(outcomes: outcomes, folds: folds, objective: goal, startEquity: 1_000_000))
        #expect(summary.folds.count == folds.count)
        func sharpe(_ r: [Double], spanMs: Int64) -> Double {
            let n = Double(r.count)
            let mean = r.reduce(0, +) / n
            let sd = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            return sd > 0 ? mean / sd * (n * 365.25 * 86_400_000 / Double(spanMs)).squareRoot() : 0
        }
        var joined: [Double] = []
        for (f, fold) in zip(folds, summary.folds) {
            let scores = outcomes.indices.map {
                sharpe(window($0, f.trainFrom, f.trainTo), spanMs: f.trainTo - f.trainFrom)
            }
            let best = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
            #expect(fold.trial == outcomes[best].index, "fold \(f)")
            #expect(abs(fold.inSample - scores[best]) < 1e-9 * max(1, abs(scores[best])))
            let test = window(best, f.testFrom, f.testTo)
            joined += test
            let growth = test.reduce(1) { $0 * (1 + $1) } - 1
            #expect(abs(fold.outOfSampleReturn - growth) < 1e-12)
        }
        let total = joined.reduce(1) { $0 * (1 + $1) } - 1
        #expect(abs(summary.outOfSampleReturn - total) < 1e-12)
        #expect(abs(summary.curve.last!.equity - 1_000_000 * (1 + total)) < 1e-3)
        // The heatmap over the two parameters: one trial a cell here, in sample its statistics'
        // objective, out of sample the Sharpe ratio of its own test windows joined.
        let map = SweepHeatmap(outcomes: outcomes, x: "fast", y: "slow", objective: goal, folds: folds)
        #expect(map.xs == [4, 8, 12, 16].map { ParameterValue.int($0) } && map.ys == [20, 40, 60].map { .int($0) })
        let tests = folds.map { ($0.testFrom, $0.testTo) }
        let testMs = tests.reduce(Int64(0)) { $0 + $1.1 - $1.0 }
        for (k, o) in outcomes.enumerated() {
            guard case .int(let f) = o.parameters["fast"], case .int(let sl) = o.parameters["slow"] else { continue }
            let (c, r) = (f / 4 - 1, sl / 20 - 1)
            #expect(map.inSample[r][c] == o.statistics!.sharpe)
            let joinedTests = tests.flatMap { window(k, $0.0, $0.1) }
            let expected = sharpe(joinedTests, spanMs: testMs)
            #expect(abs((map.outOfSample?[r][c] ?? .nan) - expected) < 1e-9 * max(1, abs(expected)), "\(o.parameters)")
        }
        // A choice's cells follow its options as given, not the alphabet.
        var chosen = outcomes.prefix(3).map { $0 }
        for (k, kind) in ["sma", "ema", "wma"].enumerated() {
            chosen[k].parameters = ["kind": .string(kind), "n": .int(1)]
        }
        let byKind = SweepHeatmap(
            outcomes: chosen, x: "kind", y: "n", objective: goal, choices: ["kind": ["sma", "ema", "wma"]])
        #expect(byKind.xs == [.string("sma"), .string("ema"), .string("wma")] && byKind.outOfSample == nil)
        // A drawdown cannot be read from sums: refused as a walk-forward objective.
        #expect(throws: SpecError.self) { try SweepObjective(parsing: "max_drawdown:min").checkWalkForward() }
    }
}
