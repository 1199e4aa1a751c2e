import NIOCore

/// Coordinator → worker: whether an ``OrderIntentWritten`` was stored under the job's current
/// epoch and lease (sent once its batch committed). Only an accepted intent's order may be sent;
/// a refused one was never stored, and its run has lost the job — unless `keepsJob`: the kill
/// switch holds the job (its run keeps it to cancel its orders and stop; its `StopJob` is on its
/// way), or the account's risk budget refused this one order.
public struct IntentVerdict: WireBody {
    static let name = "IntentVerdict"
    public var jobId: Int64
    public var epoch: Int64
    public var clientOrderId: String
    public var accepted: Bool
    public var reason: String
    public var keepsJob: Bool

    public init(
        jobId: Int64, epoch: Int64, clientOrderId: String, accepted: Bool, reason: String = "",
        keepsJob: Bool = false
    ) {
        self.jobId = jobId
        self.epoch = epoch
        self.clientOrderId = clientOrderId
        self.accepted = accepted
        self.reason = reason
        self.keepsJob = keepsJob
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, string: clientOrderId)
        b.writeProto(4, bool: accepted)
        b.writeProto(5, string: reason)
        b.writeProto(6, bool: keepsJob)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(jobId: 0, epoch: 0, clientOrderId: "", accepted: false)
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            case 3: clientOrderId = try r.string(w)
            case 4: accepted = try r.uint64(w) != 0
            case 5: reason = try r.string(w)
            case 6: keepsJob = try r.uint64(w) != 0
            default: try r.skip(w)
            }
        }
    }
}
