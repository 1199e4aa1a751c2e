import Foundation

/// One line of the audit trail: who did what to which job, when.
public struct JobEvent: Sendable, Codable, Hashable {
    public var id: Int64
    public var jobId: Int64?
    public var jobName: String
    public var at: Date
    public var actor: String
    public var kind: String
    public var detail: String

    public init(id: Int64, jobId: Int64?, jobName: String, at: Date, actor: String, kind: String, detail: String) {
        self.id = id
        self.jobId = jobId
        self.jobName = jobName
        self.at = at
        self.actor = actor
        self.kind = kind
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case id, at, actor, kind, detail
        case jobId = "job_id"
        case jobName = "job_name"
    }
}
