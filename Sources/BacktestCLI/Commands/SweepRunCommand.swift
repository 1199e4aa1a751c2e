import ATSCommon
import ATSEngine
import ArgumentParser
import Foundation

/// `ats sweep run`: a grid or random search on this machine. The bars are loaded once and shared
/// by every trial; trials run on every core; the leaderboard is ordered by the objective, then by
/// trial number, so it is the same however the trials were scheduled.
struct SweepRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a parameter search on this machine and print the best trials.",
        discussion: """
            ats sweep run --data bars.csv --strategy sma_cross \\
                --param fast=int:5..50:5 --param slow=int:20..200:10 --where 'fast < slow' \\
                --search grid --objective sharpe:max --top 20
            --search tpe --trials 500 [--in-flight 32]: Bayesian search (a tree-structured Parzen
            estimator), batch after batch, each asked from every trial before it (the cluster's
            `ats sweep create` asks the same trials).
            Ranges: int:LOW..HIGH[:STEP], float:LOW..HIGH[:STEP], log:LOW..HIGH, choice:A|B|...
            (float without a step and log are continuous: random search only). Beside the best trial:
            the Deflated Sharpe Ratio (N = every trial run, failed ones included), PBO by CSCV over
            16 blocks of the data, and the minimum backtest length; flagged when DSR < 0.95 or PBO > 0.5.
            """)

    @Option(help: "Bar file: seed CSV, plain CSV (epoch ms), Binance klines or a catalog.") var data: String
    @OptionGroup var sweep: SweepFlags
    @Option(help: "Trials to list.") var top: Int = 20
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() async throws {
        try await reportingErrors {
            let (plan, goal, base, walkForward, earlyStop) = try sweep.parsed()
            let space = plan.space
            do { _ = try plan.firstRun(from: base, registry: .standard) } catch let e as SpecError {
                throw CLIError.invalid(e.description)
            }
            guard top >= 1 else { throw CLIError.invalid("top: at least 1") }
            // Trials are named by their candidate: a grid point's index, a random draw's number
            // (Bayesian search: trial numbers, each batch asked from the trials before it). The
            // candidates are run a block at a time and folded into the summary as they come (a
            // million trials never all in memory); early stopping's pilots run whole first.
            var candidates = 0..<0
            var planned = 0
            var chosen: EarlyStop.Pilots?
            var pilots: [(index: Int, parameters: [String: ParameterValue])] = []
            do {
                if let earlyStop {
                    let every = plan.pilots(earlyStop)
                    let cut = try plan.chunks(trialsPerChunk: SweepPlan.maximumTrials, pilots: every)
                    candidates = 0..<max(cut.chunks.last?.end ?? 0, (cut.pilots.last ?? -1) + 1)
                    pilots = cut.pilots.map { ($0, plan.point($0)!) }
                    (chosen, planned) = (every, cut.trials)
                } else {
                    let (chunks, trials) = try plan.chunks(trialsPerChunk: SweepPlan.maximumTrials)
                    if plan.search != .tpe { candidates = 0..<(chunks.last?.end ?? 0) }
                    planned = trials
                }
            } catch let e as SpecError { throw CLIError.invalid(e.description) }
            let bars: BarSeries
            do { bars = try BarLoader.load(path: data, inPlace: true) } catch let e as DataError {
                throw CLIError.invalid(e.description)
            }
            let span = TrialRecords.Span(bars)
            let folds = walkForward?.folds(first: span.first, end: span.end) ?? []
            if let walkForward, let problem = walkForward.problem(over: span) { throw CLIError.invalid(problem) }
            let clock = ContinuousClock()
            let start = clock.now
            let boundaries = WalkForward.boundaries(folds)
            var summary = SweepSummary.Accumulator(
                objective: goal, keep: top, folds: folds, plannedTrials: planned, spreadFrom: chosen)
            if plan.search == .tpe {
                // As the cluster does: batch after batch, each asked from every trial before it.
                var outcomes: [TrialOutcome] = []
                while outcomes.count < plan.trials {
                    let batch = plan.batch(startingAt: outcomes.count)
                    guard let asks = plan.asks(batch, after: outcomes, objective: goal) else {
                        throw CLIError.invalid("where: the condition refused every draw of an ask")
                    }
                    outcomes += Self.evaluate(points: asks, base: base, bars: bars, boundaries: boundaries)
                }
                for o in outcomes { summary.add(o) }
            } else {
                // As the cluster does: the pilots whole, then the rest held to the rule they make.
                var rule: EarlyStop.Rule?
                if let earlyStop {
                    let first = Self.evaluate(points: pilots, base: base, bars: bars, boundaries: boundaries)
                    rule = earlyStop.rule(pilots: first, folds: folds, objective: goal)
                    for o in first { summary.add(o) }
                }
                for from in Swift.stride(from: candidates.lowerBound, to: candidates.upperBound, by: Self.block) {
                    var points = plan.trials(in: from..<min(candidates.upperBound, from + Self.block))
                    if let chosen { points.removeAll { chosen.contains($0.index) } }
                    for o in Self.evaluate(points: points, base: base, bars: bars, boundaries: boundaries, stop: rule) {
                        summary.add(o)
                    }
                }
            }
            let seconds = (clock.now - start).seconds
            // The span the statistics use: first to last bar, plus one bar's interval.
            let years =
                bars.count > 1
                ? Double(bars.time[bars.count - 1] - bars.time[0] + bars.barInterval) / (365.25 * 86_400_000) : 0
            let result = summary.summary(dataYears: years)
            // A sweep where every trial failed is an error: why, most frequent first.
            guard result.failed < result.trials else {
                throw CLIError.invalid(
                    "every trial failed: "
                        + result.failures.prefix(3).map { "\($0.reason) (\($0.trials) trials)" }.joined(separator: "; ")
                )
            }
            let report = SweepReport(
                summary: result, names: space.names, objective: goal, top: top, seconds: seconds, bars: bars.count)
            if json {
                try printJSON(report)
            } else {
                print(SweepReportText.render(report, top: top))
                print(
                    String(
                        format: "%d trials over %d bars in %.2f s (%.1fM trial·bars/s)", result.trials, bars.count,
                        seconds,
                        Double(result.trials) * Double(bars.count) / seconds / 1e6))
            }
        }
    }

    /// Candidates run at once (and folded into the summary before the next block).
    static let block = 50_000

    /// Runs every trial, on every core, each writing its own slot.
    static func evaluate(
        points: [(index: Int, parameters: [String: ParameterValue])], base: RunSpec, bars: BarSeries,
        boundaries: [Int64], stop: EarlyStop.Rule? = nil
    ) -> [TrialOutcome] {
        let registry = Registry.standard
        let interval = bars.barInterval
        let resolved = try? registry.resolve(base)
        return ParallelMap.map(points.count) { i in
            TrialEvaluation.run(
                index: points[i].index, parameters: points[i].parameters, base: base, bars: bars, registry: registry,
                blocks: TrialEvaluation.blocks, boundaries: boundaries, stop: stop, barInterval: interval,
                resolvedBase: resolved)
        }
    }
}
