import ATSModels
import Foundation

/// A trained model registered with the cluster (`GET /api/models`): its name and content hash,
/// what it reads and writes, and the jobs whose strategy runs it (and the sweeps over it, as
/// `sweep NAME`).
public struct ModelRecord: Sendable, Codable, Hashable {
    /// What the model is, as read when it was added.
    public typealias Summary = ModelSummary

    public var hash: String
    public var name: String
    public var bytes: Int64
    public var summary: Summary
    public var createdBy: String
    public var createdAt: Date
    /// Jobs whose strategy runs it (a model in use cannot be removed).
    public var jobs: [String]

    public init(
        hash: String, name: String, bytes: Int64, summary: Summary, createdBy: String, createdAt: Date,
        jobs: [String] = []
    ) {
        self.hash = hash
        self.name = name
        self.bytes = bytes
        self.summary = summary
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.jobs = jobs
    }
}
