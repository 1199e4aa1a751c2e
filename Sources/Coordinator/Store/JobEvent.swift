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

    enum CodingKeys: String, CodingKey {
        case id, at, actor, kind, detail
        case jobId = "job_id"
        case jobName = "job_name"
    }
}
