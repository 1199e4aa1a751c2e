import NIOCore

/// Either way, periodically: the sender is alive. From a worker it renews its leases.
public struct Heartbeat: WireBody {
    static let name = "Heartbeat"
    public var sentAtMs: Int64
    public var runningJobs: UInt32

    public init(sentAtMs: Int64, runningJobs: UInt32) {
        self.sentAtMs = sentAtMs
        self.runningJobs = runningJobs
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: sentAtMs)
        b.writeProto(2, uint: UInt64(runningJobs))
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(sentAtMs: 0, runningJobs: 0)
        while let (f, w) = try r.next() {
            switch f {
            case 1: sentAtMs = try r.int64(w)
            case 2: runningJobs = try r.uint32(w)
            default: try r.skip(w)
            }
        }
    }
}
