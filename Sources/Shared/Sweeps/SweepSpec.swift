import ATSEngine
import Foundation

/// A parameter sweep as users write it (JSON or YAML) and as the coordinator stores it
/// (docs/SWEEPS.md): a job's run with the searched parameters given as ranges beside it.
///
/// ```json
/// {"name": "s1", "data": {"set": "btc-1m"},
///  "strategy": {"namespace": "strategies:sma_cross", "config": {"quantity": 1}},
///  "params": ["fast=int:5..50:5", "slow=int:20..200:10"], "where": "fast < slow",
///  "search": "grid", "objective": "sharpe:max"}
/// ```
public struct SweepSpec: Sendable, Hashable, Codable, SpecJSON {
    public var name: String
    /// Its chunks run only on workers with every one of these labels.
    public var labels: [String]
    public var data: DataSource
    /// The run every trial starts from: the strategy's fixed parameters, fees, cash, exchange.
    public var run: RunSpec
    public var plan: SweepPlan
    public var objective: SweepObjective
    /// Walk-forward folds (nil: none): each re-optimised on its train window.
    public var walkForward: WalkForward?
    /// Early stopping (nil: none): trials worse than the pilots at their first folds stop.
    public var earlyStop: EarlyStop?
    /// Trials a chunk holds (0: chosen from the data's length, ``trialsPerChunk(bars:)``).
    public var chunkTrials: Int
    /// The worker slots the last chunks are cut smaller for (``SweepPlan/tapered(_:size:slots:pilots:)``):
    /// 0 cuts none. Given at creation when absent (``tailSlots(connected:)``) and stored as
    /// used, so that chunks cut later (early stopping's) are cut alike; a sweep stored before
    /// the field existed reads 0, as it was cut.
    public var tailSlots: Int?

    public init(
        name: String, labels: [String] = [], data: DataSource, run: RunSpec, plan: SweepPlan,
        objective: SweepObjective, walkForward: WalkForward? = nil, chunkTrials: Int = 0, earlyStop: EarlyStop? = nil,
        tailSlots: Int? = nil
    ) {
        self.tailSlots = tailSlots
        self.earlyStop = earlyStop
        self.walkForward = walkForward
        self.name = name
        self.labels = labels
        self.data = data
        self.run = run
        self.plan = plan
        self.objective = objective
        self.chunkTrials = chunkTrials
    }

    /// Checks how the sweep is to be cut, as given: before anything is chosen from it (a sweep
    /// whose chunk size the coordinator stores as cut would otherwise have a bad one replaced).
    public func checkChunking() throws(SpecError) {
        // A chunk's records travel in one message (about 600 bytes a trial).
        guard (0...10_000).contains(chunkTrials) else {
            throw SpecError(field: "chunk_trials", reason: "0 (chosen from the data) to 10,000, got \(chunkTrials)")
        }
        if let tailSlots, !(0...Self.maximumTailSlots).contains(tailSlots) {
            throw SpecError(
                field: "tail_slots", reason: "0 (no smaller last chunks) to \(Self.maximumTailSlots), got \(tailSlots)")
        }
    }

    /// The most slots a sweep's tail is cut for (at most `4 × 1,000 + 1` chunks more).
    public static let maximumTailSlots = 1_000

    /// The slots a sweep's tail is cut for when its spec does not say: the slots of the workers
    /// connected when it is created (one slot: no smaller chunks, nothing to balance), or 8 when
    /// none is (a sweep created before its workers start).
    public static func tailSlots(connected: Int) -> Int {
        connected > 0 ? min(maximumTailSlots, connected) : 8
    }

    /// A chunk's work: about this many trial·bars (a fraction of a second on one core), so that a
    /// chunk is long beside its scheduling and short beside a lost worker's redo.
    static let chunkWork = 20_000_000

    /// The most chunks a sweep is cut into (rows of `jobs`; the scheduler reads the pending ones).
    public static let maximumChunks = 20_000

    /// A chunk's records stay well inside a protocol frame (16 MiB).
    static let chunkBytes = 6_000_000

    /// Trials per chunk for data of `bars` bars (nil: not known, a file on the workers) whose
    /// walk-forward cuts `segments` segments, never more chunks than ``maximumChunks``, and never
    /// more records than ``chunkBytes`` (about 700 bytes a trial and 40 a segment).
    public func trialsPerChunk(bars: Int?, segments: Int = 0) -> Int {
        let chosen: Int
        if chunkTrials > 0 {
            chosen = chunkTrials
        } else if plan.search == .tpe {
            // A batch spread over about eight workers: its trials wait for the slowest chunk.
            chosen = max(1, min(bars.map { max(10, Self.chunkWork / max(1, $0)) } ?? 50, (plan.inFlight + 7) / 8))
        } else if let bars, bars > 0 {
            chosen = min(5_000, max(10, Self.chunkWork / bars))
        } else {
            chosen = 50
        }
        let most = plan.search == .grid ? plan.space.gridCount ?? 0 : plan.trials
        let fits = max(1, Self.chunkBytes / (700 + 40 * segments))
        // Room for the chunks a tapered tail adds.
        let room = Self.maximumChunks - 4 * min(max(0, tailSlots ?? 0), Self.maximumTailSlots) - 1
        return min(fits, max(chosen, (most + room - 1) / room))
    }

    enum CodingKeys: String, CodingKey {
        case name, labels, data, objective
        case chunkTrials = "chunk_trials"
        case tailSlots = "tail_slots"
        case walkForward = "walk_forward"
        case earlyStop = "early_stop"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        labels = try c.decodeIfPresent([String].self, forKey: .labels) ?? []
        data = try c.decode(DataSource.self, forKey: .data)
        run = try RunSpec(from: decoder)
        plan = try SweepPlan(from: decoder)
        objective = try SweepObjective(parsing: c.decodeIfPresent(String.self, forKey: .objective) ?? "sharpe:max")
        chunkTrials = try c.decodeIfPresent(Int.self, forKey: .chunkTrials) ?? 0
        tailSlots = try c.decodeIfPresent(Int.self, forKey: .tailSlots)
        walkForward = try c.decodeIfPresent(WalkForward.self, forKey: .walkForward)
        earlyStop = try c.decodeIfPresent(EarlyStop.self, forKey: .earlyStop)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(labels, forKey: .labels)
        try c.encode(data, forKey: .data)
        try run.encode(to: encoder)
        try plan.encode(to: encoder)
        try c.encode(objective.description, forKey: .objective)
        try c.encode(chunkTrials, forKey: .chunkTrials)
        try c.encodeIfPresent(tailSlots, forKey: .tailSlots)
        try c.encodeIfPresent(walkForward, forKey: .walkForward)
        try c.encodeIfPresent(earlyStop, forKey: .earlyStop)
    }

    /// Checks everything that can be checked before a trial runs — the name, the labels, the data,
    /// the searched parameters against the strategy's, the first trial's run — and returns the run
    /// a chunk starts from (the first trial's, which the strategy accepts).
    public func validate(with registry: Registry) throws(SpecError) -> RunSpec {
        try checkChunking()
        if walkForward != nil { try objective.checkWalkForward() }
        if earlyStop != nil, let problem = EarlyStop.problem(plan: plan, walkForward: walkForward) { throw problem }
        let start = try plan.firstRun(from: run, registry: registry)
        let job = JobSpec(name: name, labels: labels, data: data, run: start)
        try job.validateNewName()
        try job.validate(with: registry)
        return start
    }
}
