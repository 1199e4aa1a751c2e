import Foundation

/// One row of the research ledger (`GET /api/research-ledger`): every trial ever run on one
/// strategy and data across the cluster's sweeps, what the deflated Sharpe ratio beside a
/// sweep's best counts as the trader's real search (docs/SWEEPS.md).
public struct ResearchLedgerEntry: Sendable, Codable, Hashable {
    public var strategy: String
    /// The data's content hash (`xxh3:…`), or `file:PATH` for sweeps on a file of the workers.
    public var data: String
    /// The data set's name, when the hash is a registered set's.
    public var dataName: String?
    public var sweeps: Int64
    /// Trials counted (every one, failed ones included), and those whose Sharpe ratio counts for
    /// the variance (those that ran; not an early-stopping sweep's trials beyond its pilots).
    public var trials: Int64
    public var ran: Int64
    /// The mean and sample standard deviation of those Sharpe ratios (per bar), 0 below two.
    public var sharpeMean: Double
    public var sharpeStandardDeviation: Double
    public var updatedAt: Date

    public init(
        strategy: String, data: String, dataName: String?, sweeps: Int64, trials: Int64, ran: Int64,
        sharpeMean: Double, sharpeStandardDeviation: Double, updatedAt: Date
    ) {
        self.strategy = strategy
        self.data = data
        self.dataName = dataName
        self.sweeps = sweeps
        self.trials = trials
        self.ran = ran
        self.sharpeMean = sharpeMean
        self.sharpeStandardDeviation = sharpeStandardDeviation
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case strategy, data, sweeps, trials, ran
        case dataName = "data_name"
        case sharpeMean = "sharpe_mean"
        case sharpeStandardDeviation = "sharpe_standard_deviation"
        case updatedAt = "updated_at"
    }
}
