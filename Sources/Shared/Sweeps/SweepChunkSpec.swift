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
        guard let points else {
            let trials = plan.trials(in: first..<end)
            return trials.count == self.trials ? trials : nil
        }
        guard points.count == end - first, points.count == trials else { return nil }
        return points.enumerated().map { (first + $0.offset, plan.space.normalized($0.element)) }
    }

    /// A chunk job's name: its sweep's, a colon, the chunk's number (a colon no job name has, and
    /// one a URL's path carries as it is).
    public static func jobName(sweep: String, chunk: Int) -> String { "\(sweep):\(chunk)" }
}
