import NIOCore

/// Coordinator → worker: replace the running strategy's configuration (JSON object), keeping the
/// job's portfolio, open orders and position in the data.
public struct ReloadJob: WireBody {
    static let name = "ReloadJob"
    public var jobId: Int64
    public var epoch: Int64
    public var strategyConfig: [UInt8]

    public init(jobId: Int64, epoch: Int64, strategyConfig: [UInt8]) {
        self.jobId = jobId
        self.epoch = epoch
        self.strategyConfig = strategyConfig
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, bytes: strategyConfig)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(jobId: 0, epoch: 0, strategyConfig: [])
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            case 3: strategyConfig = try r.bytes(w)
            default: try r.skip(w)
            }
        }
    }
}
