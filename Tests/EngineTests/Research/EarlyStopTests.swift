import Foundation
import Testing

@testable import ATSEngine

/// Early stopping: the rule the pilot trials make (checked against a direct computation over
/// their per-bar returns), a trial stopped at the first fold it fails, and a trial that passes
/// every checkpoint with exactly the outcome it has without the rule.
struct EarlyStopTests {
    static let day: Int64 = 86_400_000

    @Test func itIsWrittenAsFoldsMarginAndPilots() throws {
        #expect(try EarlyStop(parsing: "folds=2,margin=1,pilots=32") == EarlyStop(folds: 2, margin: 1, pilots: 32))
        #expect(try EarlyStop(parsing: "3") == EarlyStop(folds: 3))
        for (text, reason) in [
            ("folds=0", "folds"), ("margin=-1,folds=1", "margin"), ("folds=1,pilots=2", "pilots"),
            ("folds=1,x=1", "unknown"), ("margin=1", "folds"),
        ] {
            do {
                _ = try EarlyStop(parsing: text)
                Issue.record("\(text) accepted")
            } catch { #expect(error.field == "early_stop" && error.reason.contains(reason), "\(text): \(error)") }
        }
        let json = try JSONEncoder().encode(EarlyStop(folds: 2))
        #expect(String(decoding: json, as: UTF8.self) == "\"folds=2,margin=0.5,pilots=64\"")
        #expect(try JSONDecoder().decode(EarlyStop.self, from: json) == EarlyStop(folds: 2))
        // numpy.quantile([1, 2, 4, 8], [0.25, 0.5, 0.75]) = 1.75, 3, 5.
        #expect([0.25, 0.5, 0.75].map { EarlyStop.quantile([1, 2, 4, 8], $0) } == [1.75, 3, 5])
        let plan = try SweepPlan(params: ["a=int:1..1000"], condition: nil, search: .grid, trials: 0, seed: 0)
        let chosen = plan.pilots(EarlyStop(folds: 1, pilots: 64))
        #expect(chosen.perMillion == 64_000)
        let cut = try plan.chunks(trialsPerChunk: 100, pilots: chosen)
        #expect(cut.trials == 1_000 && cut.pilots == (0..<1_000).filter(chosen.contains))
        #expect((40...90).contains(cut.pilots.count), "about 64: \(cut.pilots.count)")
        #expect(cut.chunks.reduce(0) { $0 + $1.trials } == 1_000 - cut.pilots.count)
        // Spread over every parameter of a grid (the last one varies fastest): each of a 10×10×10
        // grid's last parameter's values among the pilots, not every n-th point's few.
        let cube = try SweepPlan(
            params: ["a=int:0..9", "b=int:0..9", "c=int:0..9"], condition: nil, search: .grid, trials: 0, seed: 0)
        let lasts = Set(
            try cube.chunks(trialsPerChunk: 100, pilots: cube.pilots(EarlyStop(folds: 1, pilots: 64))).pilots.map {
                $0 % 10
            })
        #expect(lasts.count >= 8, "\(lasts.sorted())")
        #expect(
            EarlyStop.problem(plan: plan, walkForward: nil)?.reason.contains("walk-forward") == true,
            "no folds, nothing to stop by")
    }

    @Test func pilotsMakeTheRuleAndTrialsStopAtTheFirstFoldTheyFail() throws {
        let bars = SyntheticBars(seed: 33).generate(count: 20 * 1_440)  // 20 days of minutes
        let walkForward = try WalkForward(parsing: "rolling:train=4d,test=2d")
        let span = TrialRecords.Span(bars)
        let folds = walkForward.folds(first: span.first, end: span.end)
        let bounds = WalkForward.boundaries(folds)
        let objective = try SweepObjective(parsing: "sharpe:max")
        let plan = try SweepPlan(
            params: ["fast=int:2..18:2", "slow=int:20..60:10"], condition: nil, search: .grid, trials: 0, seed: 0)
        let pilots = plan.trials(in: 0..<plan.candidateLimit).filter { $0.index % 3 == 0 }.map {
            TrialEvaluation.run(
                index: $0.index, parameters: $0.parameters, base: TrialEvaluationTests.base, bars: bars,
                registry: .builtIn, blocks: TrialEvaluation.blocks, boundaries: bounds)
        }
        let earlyStop = EarlyStop(folds: 2, margin: 0.5, pilots: 20)
        let rule = try #require(earlyStop.rule(pilots: pilots, folds: folds, objective: objective))
        #expect(rule.checkpoints == [folds[0].testTo, folds[1].testTo])
        // Each threshold against the pilots' values computed here from their per-bar returns.
        for k in 0..<2 {
            let values = try pilots.map { pilot in
                let returns = try WalkForwardTests.returns(pilot.parameters, bars: bars)
                var joined = SegmentSums()
                var spanMs = 0.0
                for fold in folds.prefix(k + 1) {
                    for i in 0..<bars.count where bars.time[i] >= fold.testFrom && bars.time[i] < fold.testTo {
                        joined.add(returns[i])
                    }
                    spanMs += Double(fold.testTo - fold.testFrom)
                }
                return joined.sharpe(spanMs: spanMs)
            }.sorted()
            let (q1, median, q3) = (
                EarlyStop.quantile(values, 0.25), EarlyStop.quantile(values, 0.5), EarlyStop.quantile(values, 0.75)
            )
            #expect(abs(rule.thresholds[k] - (median - 0.5 * (q3 - q1))) < 1e-9, "checkpoint \(k)")
        }
        // Every other trial: stopped at the first checkpoint it fails, or exactly as without the rule.
        var stopped = 0
        for trial in plan.trials(in: 0..<plan.candidateLimit) where trial.index % 3 != 0 {
            let free = TrialEvaluation.run(
                index: trial.index, parameters: trial.parameters, base: TrialEvaluationTests.base, bars: bars,
                registry: .builtIn, blocks: TrialEvaluation.blocks, boundaries: bounds)
            let held = TrialEvaluation.run(
                index: trial.index, parameters: trial.parameters, base: TrialEvaluationTests.base, bars: bars,
                registry: .builtIn, blocks: TrialEvaluation.blocks, boundaries: bounds, stop: rule)
            let values = (0..<2).map { rule.value(segments: free.segments, bounds: bounds, through: $0) }
            if let fold = values.indices.first(where: { rule.stops(values[$0], at: $0) }) {
                stopped += 1
                #expect(
                    held.statistics == nil
                        && held.failure == "stopped early at fold \(fold + 1): worse than the pilot trials")
                #expect(held.moments.count == bars.count && held.moments.mean == 0, "counted, with flat returns")
                // Its sums whole through the fold it stopped at (the same bits as a whole run's),
                // none after: walk-forward may still choose it for those folds.
                let whole = try #require(bounds.firstIndex(of: folds[fold].testTo))
                #expect(Array(held.segments[..<whole]) == Array(free.segments[..<whole]))
                #expect(held.segments[whole...].allSatisfy { $0 == SegmentSums() })
                #expect(held.stoppedAtFold == fold + 1)
                var walk = WalkForwardSummary.Accumulator(folds: folds, objective: objective)
                walk.add(held)
                let chosen = walk.summary(startEquity: 100_000)?.folds.map(\.trial)
                #expect(chosen == [Int](repeating: trial.index, count: fold + 1), "chosen alone for its folds")
            } else {
                #expect(held == free, "trial \(trial.index) passes and is untouched")
            }
        }
        #expect(stopped > 0 && stopped < 30, "some stopped, not all: \(stopped)")
        // Too few pilots that ran: no rule, nothing stops.
        #expect(earlyStop.rule(pilots: Array(pilots.prefix(4)), folds: folds, objective: objective) == nil)
    }
}
