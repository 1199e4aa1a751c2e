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
    /// With walk-forward: the returns' sums per segment of the span (``WalkForward/boundaries(_:)``).
    public var segments: [SegmentSums]

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
