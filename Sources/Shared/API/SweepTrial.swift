import ATSEngine
import Foundation

/// One trial of a sweep as `GET /api/sweeps/{sweep}/trials/{trial}` gives it: what to run it again
/// with (`ats backtest --from-trial`) and, once its chunk is in, what the sweep stored for it.
public struct SweepTrial: Sendable, Codable {
    public var sweep: String
    public var trial: Int
    public var parameters: [String: ParameterValue]
    /// The sweep's run with the trial's parameters, on the sweep's data (a set pinned to its hash).
    public var run: RunSpec
    public var data: DataSource
    /// The chunk holding it, and whether its records are stored.
    public var chunk: Int
    public var done: Bool
    public var statistics: BacktestStatistics?
    public var failure: String?

    public init(
        sweep: String, trial: Int, parameters: [String: ParameterValue], run: RunSpec, data: DataSource, chunk: Int,
        done: Bool, statistics: BacktestStatistics?, failure: String?
    ) {
        self.sweep = sweep
        self.trial = trial
        self.parameters = parameters
        self.run = run
        self.data = data
        self.chunk = chunk
        self.done = done
        self.statistics = statistics
        self.failure = failure
    }
}
