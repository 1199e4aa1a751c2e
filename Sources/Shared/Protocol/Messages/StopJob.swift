import NIOCore

/// Coordinator → worker: stop this job (checkpoint, then report it stopped), or with `release`
/// give it back (checkpoint, then `JobFinished(RELEASED)`, for another worker to resume: an operator
/// drained this worker).
public struct StopJob: WireBody {
    static let name = "StopJob"
    public var jobId: Int64
    public var epoch: Int64
    public var reason: String
    public var release: Bool

    public init(jobId: Int64, epoch: Int64, reason: String, release: Bool = false) {
        self.jobId = jobId
        self.epoch = epoch
        self.reason = reason
        self.release = release
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, string: reason)
        b.writeProto(4, bool: release)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(jobId: 0, epoch: 0, reason: "")
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            case 3: reason = try r.string(w)
            case 4: release = try r.uint64(w) != 0
            default: try r.skip(w)
            }
        }
    }
}
