import ATSEngine
import Foundation
import Testing

struct TrialEvaluationTests {
    static let bars = SyntheticBars(seed: 11).generate(count: 4000)
    static let base = RunSpec(
        exchange: .init(namespace: "exchanges:simulated", symbol: .init(base: "BTC", quote: "USDT")),
        strategy: ComponentRef(namespace: "strategies:sma_cross", config: ["quantity": .string("1")]),
        fees: ComponentRef(namespace: "fees:generic", config: ["taker": .string("0.001")]),
        portfolio: .init(cash: 1_000_000))

    func sweep(_ points: [[String: ParameterValue]]) -> [TrialOutcome] {
        points.enumerated().map { i, p in
            TrialEvaluation.run(
                index: i, parameters: p, base: Self.base, bars: Self.bars, registry: .builtIn, blocks: 16)
        }
    }

    @Test func aTrialIsTheBacktestOfItsParametersAndItsReturnsAreKeptWhole() throws {
        let outcome = sweep([["fast": .int(8), "slow": .int(40)]])[0]
        var spec = Self.base
        spec.strategy.config["fast"] = .int(8)
        spec.strategy.config["slow"] = .int(40)
        var session = try Registry.builtIn.makeSession(Registry.builtIn.resolve(spec))
        session.run(Self.bars, until: Self.bars.count)
        #expect(outcome.statistics == session.statistics(barInterval: Self.bars.barInterval))
        #expect(outcome.statistics!.roundTrips > 10, "the trial traded")
        // The blocks partition the bars, and their sums are the returns' sums.
        #expect(outcome.blockCounts.reduce(0, +) == Double(Self.bars.count) && outcome.moments.count == Self.bars.count)
        let total = outcome.blockSums.reduce(0, +)
        #expect(abs(total - outcome.moments.mean * Double(outcome.moments.count)) < 1e-12)
        // The equity moved (a trial whose equity was not recorded would have flat returns).
        #expect(outcome.moments.standardDeviation > 0)
    }

    /// Resolving the run once per sweep and each trial's strategy parameters alone gives every
    /// trial the outcome of resolving it whole: statistics, returns and the reasons of those the
    /// strategy refuses (a cross-field rule, an unknown value, a short the exchange forbids).
    @Test func aTrialOnTheResolvedBaseIsTheTrialResolvedWhole() throws {
        let points: [[String: ParameterValue]] = [
            ["fast": .int(8), "slow": .int(40)], ["fast": .int(40), "slow": .int(8)],
            ["fast": .int(5), "slow": .int(20), "direction": .string("long_short")],
            ["fast": .int(5), "slow": .int(20), "direction": .string("sideways")], ["fast": .string("x")],
            ["fast": .int(3), "slow": .int(9), "fraction": .double(0.5)],
            // Both rules broken: the cross-field one is named first, as resolving whole names it.
            ["fast": .int(40), "slow": .int(8), "direction": .string("long_short")],
        ]
        let resolved = try Registry.builtIn.resolve(Self.base)
        for (i, p) in points.enumerated() {
            let whole = TrialEvaluation.run(
                index: i, parameters: p, base: Self.base, bars: Self.bars, registry: .builtIn, blocks: 16)
            let fast = TrialEvaluation.run(
                index: i, parameters: p, base: Self.base, bars: Self.bars, registry: .builtIn, blocks: 16,
                resolvedBase: resolved)
            #expect(fast.failure == whole.failure, "\(p)")
            #expect(fast.statistics == whole.statistics, "\(p)")
            #expect(fast.blockSums.map(\.bitPattern) == whole.blockSums.map(\.bitPattern), "\(p)")
        }
        let failures = points.indices.map {
            TrialEvaluation.run(
                index: $0, parameters: points[$0], base: Self.base, bars: Self.bars, registry: .builtIn, blocks: 16,
                resolvedBase: resolved
            ).failure
        }
        #expect(failures.compactMap { $0 }.count == 5, "\(failures)")
        #expect(failures.last??.contains("strategy.config.fast") == true, "\(failures)")
    }

    @Test func returnsRunFromTheStartingEquityStartingBaseIncluded() throws {
        // 1,000 in cash and one unit held from the start (noop): equity is 1,000 + the close, and
        // the first return is zero (not the unit's whole value over the cash).
        var base = Self.base
        base.strategy = ComponentRef(namespace: "strategies:noop")
        base.portfolio = .init(cash: 1000, base: 1)
        let outcome = TrialEvaluation.run(
            index: 0, parameters: [:], base: base, bars: Self.bars, registry: .builtIn, blocks: 16)
        let equity = Self.bars.close.array.map { 1000 + $0 }
        let returns = [0.0] + (1..<equity.count).map { equity[$0] / equity[$0 - 1] - 1 }
        let expected = ReturnMoments(returns: returns)
        #expect(abs(outcome.moments.mean - expected.mean) < 1e-15)
        #expect(abs(outcome.moments.standardDeviation - expected.standardDeviation) < 1e-12)
        #expect(abs(outcome.blockSums.reduce(0, +) - returns.reduce(0, +)) < 1e-12)
        #expect(outcome.statistics?.initialEquity == equity[0])
    }

    @Test func failedTrialsCountInNButNotInTheVarianceOrPBO() throws {
        let good: [[String: ParameterValue]] = [
            ["fast": .int(8), "slow": .int(40)], ["fast": .int(5), "slow": .int(20)],
            ["fast": .int(12), "slow": .int(30)],
        ]
        let bad: [[String: ParameterValue]] = [
            ["fast": .int(40), "slow": .int(8)], ["fast": .int(30), "slow": .int(9)],
        ]
        let objective = try SweepObjective(parsing: "sharpe:max")
        let alone = SweepSummary(outcomes: sweep(good), objective: objective, dataYears: 1)
        let with = SweepSummary(outcomes: sweep(good + bad), objective: objective, dataYears: 1)
        #expect(alone.trials == 3 && with.trials == 5 && with.failed == 2)
        #expect(with.deflated?.trials == 5 && with.deflated?.variance == alone.deflated?.variance)
        #expect(with.overfitting == alone.overfitting && with.overfitting?.trials == 3)
    }

    @Test func refusedParametersAreAFailedTrialThatStillCounts() {
        let outcomes = sweep([
            ["fast": .int(8), "slow": .int(40)], ["fast": .int(40), "slow": .int(8)],
            ["fast": .int(5), "slow": .int(20)],
        ])
        #expect(outcomes[1].statistics == nil && outcomes[1].failure?.contains("slow") == true, "\(outcomes[1])")
        let summary = SweepSummary(
            outcomes: outcomes, objective: try! SweepObjective(parsing: "sharpe:max"), dataYears: 1)
        #expect(summary.trials == 3 && summary.failed == 1)
        #expect(summary.ranked.last?.index == 1, "failed trials rank last")
        #expect(summary.deflated?.trials == 3)
    }

    @Test func theLeaderboardDoesNotDependOnTheOrderTrialsFinished() throws {
        let space = try ParameterSpace(parsing: ["fast=int:4..16:4", "slow=int:20..60:10"])
        let points = (0..<space.gridCount!).map { space.gridPoint($0) }
        let outcomes = sweep(points)
        #expect(outcomes == sweep(points), "a trial is deterministic")
        let objective = try SweepObjective(parsing: "total_return:max")
        let a = SweepSummary(outcomes: outcomes, objective: objective, dataYears: 1)
        var rng = SeededRandom(seed: 3)
        let b = SweepSummary(outcomes: outcomes.shuffled(using: &rng), objective: objective, dataYears: 1)
        #expect(a.ranked.map(\.index) == b.ranked.map(\.index))
        // Every statistic the same bits in any order: V from exact sums, PBO over the trials by
        // number, walk-forward and the best by objective then number.
        #expect(b.overfitting == a.overfitting && b.deflated == a.deflated)
        #expect(b.probabilisticSharpe == a.probabilisticSharpe && b.minimumBacktestYears == a.minimumBacktestYears)
        // Kept to the best few, the same best few and the same statistics.
        var few = SweepSummary.Accumulator(objective: objective, keep: 3, plannedTrials: outcomes.count)
        for o in outcomes.reversed() { few.add(o) }
        let small = few.summary(dataYears: 1)
        #expect(small.ranked.map(\.index) == Array(a.ranked.prefix(3).map(\.index)))
        #expect(small.deflated == a.deflated && small.overfitting == a.overfitting)
        let values = a.ranked.map { objective.value($0.statistics!) }
        #expect(values == values.sorted(by: >))
    }

    @Test func objectivesAreParsedWithClearErrors() throws {
        #expect(try SweepObjective(parsing: "max_drawdown:min").maximize == false)
        #expect(try SweepObjective(parsing: "sharpe").maximize)
        #expect(throws: SpecError.self) { try SweepObjective(parsing: "sharp:max") }
        #expect(throws: SpecError.self) { try SweepObjective(parsing: "sharpe:up") }
    }
}
