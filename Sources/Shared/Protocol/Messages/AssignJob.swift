import NIOCore

/// Coordinator → worker: run this job under this fencing epoch, from this checkpoint (empty: from
/// the start). `spec` is the job spec as JSON.
public struct AssignJob: WireBody {
    static let name = "AssignJob"
    public var jobId: Int64
    public var epoch: Int64
    public var name: String
    public var spec: [UInt8]
    public var checkpoint: [UInt8]

    public init(jobId: Int64, epoch: Int64, name: String, spec: [UInt8], checkpoint: [UInt8]) {
        self.jobId = jobId
        self.epoch = epoch
        self.name = name
        self.spec = spec
        self.checkpoint = checkpoint
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, bytes: spec)
        b.writeProto(4, bytes: checkpoint)
        b.writeProto(5, string: name)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(jobId: 0, epoch: 0, name: "", spec: [], checkpoint: [])
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            case 3: spec = try r.bytes(w)
            case 4: checkpoint = try r.bytes(w)
            case 5: name = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
