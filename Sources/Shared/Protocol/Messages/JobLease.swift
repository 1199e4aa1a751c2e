import NIOCore

/// A job a worker holds, with the fencing epoch of its assignment.
public struct JobLease: Sendable, Hashable {
    public var jobId: Int64
    public var epoch: Int64

    public init(jobId: Int64, epoch: Int64) {
        self.jobId = jobId
        self.epoch = epoch
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
    }

    init(_ buffer: ByteBuffer) throws(ProtocolError) {
        var r = ProtoReader(buffer, message: "JobLease")
        jobId = 0
        epoch = 0
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            default: try r.skip(w)
            }
        }
    }
}
