import ATSEngine
import ArgumentParser

/// The flags that say what a sweep searches, shared by `ats sweep run` (this machine) and `ats
/// sweep create` (the cluster): the strategy with its fixed and searched parameters, the
/// condition, the search, the objective, and the run every trial starts from.
public struct SweepFlags: ParsableArguments {
    @Option(help: "Strategy name.") public var strategy: String
    @Option(name: .customLong("param"), help: "A searched parameter name=KIND:RANGE, or a fixed one name=value.")
    public var params: [String] = []
    @Option(name: .customLong("where"), help: "A condition on the parameters, e.g. 'fast < slow'.")
    public var condition: String?
    @Option(help: "grid, random or tpe (Bayesian: each batch asked from the trials before it).")
    public var search: String = "grid"
    @Option(help: "Random and tpe search: trials to run.") public var trials: Int = 100
    @Option(help: "Random and tpe search: the seed (the same seed, the same trials).") public var seed: UInt64 = 42
    @Option(help: "tpe: trials asked together (a batch runs at once; the next is asked from every trial before it).")
    public var inFlight: Int = 32
    @Option(help: "STATISTIC[:max|min], e.g. sharpe:max, total_return:max, max_drawdown:min.")
    public var objective: String = "sharpe:max"
    @Option(
        help:
            "Walk-forward: rolling:train=90d,test=30d[,embargo=1d] or anchored:… (each fold re-optimised on its train window; objective sharpe, sortino, total_return or cagr)."
    )
    public var walkForward: String?
    @Option(
        help:
            "Early stopping with walk-forward: folds=2[,margin=0.5][,pilots=64] (a trial worse than the pilot trials' median by more than margin interquartile ranges at one of its first folds stops; it still counts)."
    )
    public var earlyStop: String?
    @Option(help: "Symbol BASE/QUOTE.") public var symbol: String = "BTC/USDT"
    @Option(help: "Fee model NAME[:param=value,...].") public var fee: String = "generic:taker=0.001"
    @Option(help: "Starting quote balance.") public var cash: Double = 100_000
    @Option(help: "Exchange (venue rules and fill policy).") public var exchange: String = "simulated"
    @Option(name: .customLong("exchange-param"), help: "Exchange parameter name=value (repeat).")
    public var exchangeParams: [String] = []

    public init() {}

    /// The searched parameters (a value with a kind: `int:`, `float:`, `log:`, `choice:`) and the
    /// fixed ones.
    var split: (searched: [String], fixed: [String]) {
        let searched = params.filter { p in
            guard let eq = p.firstIndex(of: "=") else { return false }
            return ["int:", "float:", "log:", "choice:"].contains { p[p.index(after: eq)...].hasPrefix($0) }
        }
        return (searched, params.filter { !searched.contains($0) })
    }

    /// The plan, the objective and the run every trial starts from (the strategy with its fixed
    /// parameters); mistakes as the CLI's errors, naming their field.
    public func parsed() throws -> (
        plan: SweepPlan, objective: SweepObjective, run: RunSpec, walkForward: WalkForward?, earlyStop: EarlyStop?
    ) {
        let (searched, fixed) = split
        let plan: SweepPlan
        let goal: SweepObjective
        let wf: WalkForward?
        let stop: EarlyStop?
        do {
            guard let kind = SweepPlan.Search(rawValue: search) else {
                throw SpecError(field: "search", reason: "grid, random or tpe, got \"\(search)\"")
            }
            plan = try SweepPlan(
                params: searched, condition: condition, search: kind, trials: trials, seed: seed, inFlight: inFlight)
            goal = try SweepObjective(parsing: objective)
            wf = try walkForward.map { (text) throws(SpecError) in try WalkForward(parsing: text) }
            if wf != nil { try goal.checkWalkForward() }
            stop = try earlyStop.map { (text) throws(SpecError) in try EarlyStop(parsing: text) }
            if stop != nil, let problem = EarlyStop.problem(plan: plan, walkForward: wf) { throw problem }
        } catch let e as SpecError { throw CLIError.invalid(e.description) }
        let run = try RunSpecFlags.runSpec(
            strategy: strategy, params: fixed, symbol: symbol, fee: fee, cash: cash, exchangeParams: exchangeParams,
            exchange: exchange)
        return (plan, goal, run, wf, stop)
    }
}
