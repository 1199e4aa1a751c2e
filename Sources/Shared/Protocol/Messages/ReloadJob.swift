import NIOCore

/// Coordinator → worker: run revision `revision` of the job's definition, whose strategy
/// configuration (JSON object) is `strategyConfig`, keeping the job's portfolio, open orders and
/// position in the data. The worker ignores it under another epoch or for a revision it already
/// runs; it reports the bar where it took effect with `ReloadApplied`.
public struct ReloadJob: WireBody {
    static let name = "ReloadJob"
    public var jobId: Int64
    public var epoch: Int64
    public var strategyConfig: [UInt8]
    public var revision: Int64

    public init(jobId: Int64, epoch: Int64, strategyConfig: [UInt8], revision: Int64) {
        self.jobId = jobId
        self.epoch = epoch
        self.strategyConfig = strategyConfig
        self.revision = revision
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, bytes: strategyConfig)
        b.writeProto(4, int: revision)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(jobId: 0, epoch: 0, strategyConfig: [], revision: 0)
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            case 3: strategyConfig = try r.bytes(w)
            case 4: revision = try r.int64(w)
            default: try r.skip(w)
            }
        }
    }
}
