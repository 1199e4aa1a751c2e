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
            Ranges: int:LOW..HIGH[:STEP], float:LOW..HIGH[:STEP], log:LOW..HIGH, choice:A|B|...
            (float without a step and log are continuous: random search only). Beside the best trial:
            the Deflated Sharpe Ratio (N = every trial run, failed ones included), PBO by CSCV over
            16 blocks of the data, and the minimum backtest length; flagged when DSR < 0.95 or PBO > 0.5.
            """)

    @Option(help: "Bar file: seed CSV, plain CSV (epoch ms), Binance klines or a catalog.") var data: String
    @Option(help: "Strategy name.") var strategy: String
    @Option(name: .customLong("param"), help: "A searched parameter name=KIND:RANGE, or a fixed one name=value.")
    var params: [String] = []
    @Option(name: .customLong("where"), help: "A condition on the parameters, e.g. 'fast < slow'.")
    var condition: String?
    @Option(help: "grid or random.") var search: String = "grid"
    @Option(help: "Random search: trials to run.") var trials: Int = 100
    @Option(help: "Random search: the seed (the same seed, the same trials).") var seed: UInt64 = 42
    @Option(help: "STATISTIC[:max|min], e.g. sharpe:max, total_return:max, max_drawdown:min.")
    var objective: String = "sharpe:max"
    @Option(help: "Trials to list.") var top: Int = 20
    @Option(help: "Symbol BASE/QUOTE.") var symbol: String = "BTC/USDT"
    @Option(help: "Fee model NAME[:param=value,...].") var fee: String = "generic:taker=0.001"
    @Option(help: "Starting quote balance.") var cash: Double = 100_000
    @Option(help: "Exchange (venue rules and fill policy).") var exchange: String = "simulated"
    @Option(name: .customLong("exchange-param"), help: "Exchange parameter name=value (repeat).")
    var exchangeParams: [String] = []
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() async throws {
        try await reportingErrors {
            // A value with a kind (`int:`, `float:`, `log:`, `choice:`) is searched; any other is fixed.
            let searched = params.filter { p in
                guard let eq = p.firstIndex(of: "=") else { return false }
                return ["int:", "float:", "log:", "choice:"].contains { p[p.index(after: eq)...].hasPrefix($0) }
            }
            let fixed = params.filter { !searched.contains($0) }
            let plan: SweepPlan
            let goal: SweepObjective
            do {
                guard let kind = SweepPlan.Search(rawValue: search) else {
                    throw SpecError(field: "search", reason: "grid or random, got \"\(search)\"")
                }
                plan = try SweepPlan(params: searched, condition: condition, search: kind, trials: trials, seed: seed)
                goal = try SweepObjective(parsing: objective)
            } catch let e as SpecError { throw CLIError.invalid(e.description) }
            let space = plan.space
            let base = try RunSpecFlags.runSpec(
                strategy: strategy, params: fixed, symbol: symbol, fee: fee, cash: cash,
                exchangeParams: exchangeParams, exchange: exchange)
            guard let entry = Registry.standard.strategies[strategy] else {
                throw CLIError.invalid(
                    "strategy: unknown \"\(strategy)\" (known: \(Registry.standard.strategies.keys.sorted().joined(separator: ", ")))"
                )
            }
            let declared = Set(entry.descriptor.parameters.map(\.name))
            for name in space.names where !declared.contains(name) {
                throw CLIError.invalid(
                    "param.\(name): \(strategy) has no such parameter (it has \(declared.sorted().joined(separator: ", ")))"
                )
            }
            let fixedNames = Set(fixed.compactMap { $0.split(separator: "=").first.map(String.init) })
            if let both = space.names.first(where: fixedNames.contains) {
                throw CLIError.invalid("param.\(both): given both as a fixed value and as a range")
            }
            guard top >= 1 else { throw CLIError.invalid("top: at least 1") }
            // Trials are named by their candidate: a grid point's index, a random draw's number.
            let points: [(index: Int, parameters: [String: ParameterValue])]
            do {
                let (chunks, _) = try plan.chunks(trialsPerChunk: SweepPlan.maximumTrials)
                points = plan.trials(in: 0..<(chunks.last?.end ?? 0))
            } catch let e as SpecError { throw CLIError.invalid(e.description) }
            let bars: BarSeries
            do { bars = try BarLoader.load(path: data, inPlace: true) } catch let e as DataError {
                throw CLIError.invalid(e.description)
            }
            let clock = ContinuousClock()
            let start = clock.now
            let outcomes = Self.evaluate(points: points, base: base, bars: bars)
            let seconds = (clock.now - start).seconds
            // Why trials failed, most frequent first: a sweep where every one did is an error.
            let failures = Dictionary(grouping: outcomes.compactMap(\.failure), by: { $0 })
                .map { ($0.key, $0.value.count) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            guard failures.reduce(0, { $0 + $1.1 }) < outcomes.count else {
                throw CLIError.invalid(
                    "every trial failed: "
                        + failures.prefix(3).map { "\($0.0) (\($0.1) trials)" }.joined(separator: "; "))
            }
            // The span the statistics use: first to last bar, plus one bar's interval.
            let years =
                bars.count > 1
                ? Double(bars.time[bars.count - 1] - bars.time[0] + bars.barInterval) / (365.25 * 86_400_000) : 0
            let summary = SweepSummary(outcomes: outcomes, objective: goal, dataYears: years)
            if json {
                try printJSON(
                    SweepRunReport(
                        summary: summary, objective: goal, top: top, seconds: seconds, bars: bars.count,
                        failures: failures))
            } else {
                print(
                    SweepRunReport.text(
                        summary: summary, names: space.names, objective: goal, top: top, failures: failures))
                print(
                    String(
                        format: "%d trials over %d bars in %.2f s (%.1fM trial·bars/s)", outcomes.count, bars.count,
                        seconds,
                        Double(outcomes.count) * Double(bars.count) / seconds / 1e6))
            }
        }
    }

    /// Runs every trial, on every core, each writing its own slot.
    static func evaluate(
        points: [(index: Int, parameters: [String: ParameterValue])], base: RunSpec, bars: BarSeries
    ) -> [TrialOutcome] {
        let registry = Registry.standard
        return ParallelMap.map(points.count) { i in
            TrialEvaluation.run(
                index: points[i].index, parameters: points[i].parameters, base: base, bars: bars, registry: registry,
                blocks: TrialEvaluation.blocks)
        }
    }
}
