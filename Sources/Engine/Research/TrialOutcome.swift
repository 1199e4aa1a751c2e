/// One trial of a sweep, run: its parameters, its statistics (or why it could not run), and what
/// the overfitting statistics need of its per-bar returns: their moments, and per block of the
/// data's span their count, sum and sum of squares (``BacktestOverfitting`` needs only those).
public struct TrialOutcome: Sendable, Equatable {
    public var index: Int
    public var parameters: [String: ParameterValue]
    public var statistics: BacktestStatistics?
    /// Why the trial did not run (its parameters refused by the strategy); it still counts.
    public var failure: String?
    public var moments: ReturnMoments
    public var blockCounts: [Double]
    public var blockSums: [Double]
    public var blockSquares: [Double]
    /// With walk-forward: the returns' sums per segment of the span (``WalkForward/boundaries(_:)``;
    /// a trial stopped early: whole through its last fold's test window, empty after).
    public var segments: [SegmentSums]

    /// Early stopping: the fold a trial was stopped at (nil: it was not), its sums whole through
    /// that fold's test window.
    public var stoppedAtFold: Int? { failure.flatMap(TrialEvaluation.Stopped.fold(in:)) }

    /// Whether a trial's reason for not running is early stopping's.
    public static func isStoppedEarly(_ reason: String) -> Bool { TrialEvaluation.Stopped.fold(in: reason) != nil }

    public init(
        index: Int, parameters: [String: ParameterValue], statistics: BacktestStatistics?, failure: String?,
        moments: ReturnMoments, blockCounts: [Double], blockSums: [Double], blockSquares: [Double],
        segments: [SegmentSums] = []
    ) {
        self.segments = segments
        self.index = index
        self.parameters = parameters
        self.statistics = statistics
        self.failure = failure
        self.moments = moments
        self.blockCounts = blockCounts
        self.blockSums = blockSums
        self.blockSquares = blockSquares
    }
}
