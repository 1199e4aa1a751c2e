import ATSEngine

/// What makes a job one chunk of a sweep (`JobSpec.sweep`; docs/SWEEPS.md): the sweep's plan and
/// the range of candidates the chunk runs. The job's `run` is the run each trial starts from, its
/// `data` the sweep's; the worker runs the range's trials and returns their records
/// (``TrialRecords``) with its `JobFinished`, under the chunk's epoch.
public struct SweepChunkSpec: Sendable, Hashable, Codable {
    /// The sweep's id.
    public var sweep: Int64
    public var chunk: Int
    /// Candidates `first..<end`, of which `trials` are trials.
    public var first: Int
    public var end: Int
    public var trials: Int
    public var plan: SweepPlan
    /// The sweep's walk-forward: the trials keep their returns' sums per segment of its folds.
    public var walkForward: WalkForward?
    /// Bayesian search: trials `first..<end`'s parameters, asked when their batch was (nil: the
    /// plan's function of each candidate).
    public var points: [[String: ParameterValue]]?
    /// Early stopping: a pilot chunk's candidates (not a range: every few candidates), run whole.
    public var indices: [Int]?
    /// Early stopping: a later chunk skips the pilots (run before) and holds its trials to the
    /// rule the pilots made.
    public var pilots: EarlyStop.Pilots?
    public var stop: EarlyStop.Rule?

    public init(
        sweep: Int64, chunk: Int, range: SweepPlan.Chunk, plan: SweepPlan, walkForward: WalkForward? = nil,
        points: [[String: ParameterValue]]? = nil
    ) {
        self.points = points
        self.walkForward = walkForward
        self.sweep = sweep
        self.chunk = chunk
        first = range.first
        end = range.end
        trials = range.trials
        self.plan = plan
    }

    /// The chunk's trials in order: each one's number and parameters (nil: asked parameters that
    /// are not one per trial). Asked values are read back in their parameter's kind (JSON writes
    /// a whole float as an integer).
    public var trialPoints: [(index: Int, parameters: [String: ParameterValue])]? {
        if let indices {
            var out: [(index: Int, parameters: [String: ParameterValue])] = []
            for i in indices {
                guard let p = plan.point(i), (first..<end).contains(i) else { return nil }
                out.append((i, p))
            }
            return out.count == trials ? out : nil
        }
        guard let points else {
            var trials = plan.trials(in: first..<end)
            if let pilots { trials.removeAll { pilots.contains($0.index) } }
            return trials.count == self.trials ? trials : nil
        }
        guard points.count == end - first, points.count == trials else { return nil }
        return points.enumerated().map { (first + $0.offset, plan.space.normalized($0.element)) }
    }

    /// ``trialPoints`` by trial number (nil: not one per trial).
    public var parametersByIndex: [Int: [String: ParameterValue]]? {
        trialPoints.map { Dictionary($0.map { ($0.index, $0.parameters) }, uniquingKeysWith: { a, _ in a }) }
    }

    /// A chunk job's name: its sweep's, a colon, the chunk's number (a colon no job name has, and
    /// one a URL's path carries as it is).
    public static func jobName(sweep: String, chunk: Int) -> String { "\(sweep):\(chunk)" }
}
