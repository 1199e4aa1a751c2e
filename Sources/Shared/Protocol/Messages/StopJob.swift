import NIOCore

/// Coordinator → worker: stop this job (checkpoint, then report it stopped), or with `release`
/// give it back (checkpoint, then `JobFinished(RELEASED)`, for another worker to resume: an operator
/// drained this worker). With `halt` (the kill switch, docs/LIVE.md "Kill switch") a live job
/// first cancels its open orders and, with `flatten`, trades its position back to its allocation.
public struct StopJob: WireBody {
    static let name = "StopJob"
    public var jobId: Int64
    public var epoch: Int64
    public var reason: String
    public var release: Bool
    public var halt: Bool
    public var flatten: Bool

    public init(
        jobId: Int64, epoch: Int64, reason: String, release: Bool = false, halt: Bool = false, flatten: Bool = false
    ) {
        self.jobId = jobId
        self.epoch = epoch
        self.reason = reason
        self.release = release
        self.halt = halt
        self.flatten = flatten
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, string: reason)
        b.writeProto(4, bool: release)
        b.writeProto(5, bool: halt)
        b.writeProto(6, bool: flatten)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(jobId: 0, epoch: 0, reason: "")
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            case 3: reason = try r.string(w)
            case 4: release = try r.uint64(w) != 0
            case 5: halt = try r.uint64(w) != 0
            case 6: flatten = try r.uint64(w) != 0
            default: try r.skip(w)
            }
        }
    }
}
