import NIOCore

/// What every worker → coordinator job message starts with: the job, the fencing epoch it was
/// assigned under, and the message's place in the worker's outbox (what acks refer to).
/// Fields 1-3 of each job message.
public struct JobHeader: Sendable, Hashable {
    public var jobId: Int64
    public var epoch: Int64
    public var messageSeq: UInt64

    public init(jobId: Int64, epoch: Int64, messageSeq: UInt64) {
        self.jobId = jobId
        self.epoch = epoch
        self.messageSeq = messageSeq
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, uint: messageSeq)
    }

    /// Reads field 1-3 if `field` is one of them; returns false for other fields.
    mutating func read(_ field: Int, _ wire: UInt8, _ r: inout ProtoReader) throws(ProtocolError) -> Bool {
        switch field {
        case 1: jobId = try r.int64(wire)
        case 2: epoch = try r.int64(wire)
        case 3: messageSeq = try r.uint64(wire)
        default: return false
        }
        return true
    }

    static let zero = JobHeader(jobId: 0, epoch: 0, messageSeq: 0)
}
