import Foundation

/// A stored checkpoint (without its state bytes, which only workers need).
public struct CheckpointRecord: Sendable, Codable, Hashable {
    public var jobId: Int64
    public var cursor: Int64
    public var epoch: Int64
    public var nextFillSeq: Int64
    /// The state as stored: compressed when a worker of this release made it
    /// (``CheckpointCompression``).
    public var bytes: Int
    /// The state's size before compression (absent from an earlier coordinator).
    public var plainBytes: Int?
    public var createdAt: Date

    public init(
        jobId: Int64, cursor: Int64, epoch: Int64, nextFillSeq: Int64, bytes: Int, plainBytes: Int? = nil,
        createdAt: Date
    ) {
        self.jobId = jobId
        self.cursor = cursor
        self.epoch = epoch
        self.nextFillSeq = nextFillSeq
        self.bytes = bytes
        self.plainBytes = plainBytes
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case cursor, epoch, bytes
        case jobId = "job_id"
        case nextFillSeq = "next_fill_seq"
        case plainBytes = "plain_bytes"
        case createdAt = "created_at"
    }
}
