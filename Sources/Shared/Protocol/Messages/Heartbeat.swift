import NIOCore

/// Either way, periodically. From a worker it renews its leases; the coordinator echoes it back
/// (same `sentAtMs`, the worker's own monotonic clock) once the renewal is committed, which is how
/// the worker knows how long its leases certainly last (docs/PROTOCOL.md, "Leases").
public struct Heartbeat: WireBody {
    static let name = "Heartbeat"
    public var sentAtMs: Int64
    public var runningJobs: UInt32
    /// The worker is draining: it takes no new job.
    public var draining: Bool

    public init(sentAtMs: Int64, runningJobs: UInt32, draining: Bool = false) {
        self.sentAtMs = sentAtMs
        self.runningJobs = runningJobs
        self.draining = draining
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: sentAtMs)
        b.writeProto(2, uint: UInt64(runningJobs))
        b.writeProto(3, bool: draining)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(sentAtMs: 0, runningJobs: 0)
        while let (f, w) = try r.next() {
            switch f {
            case 1: sentAtMs = try r.int64(w)
            case 2: runningJobs = try r.uint32(w)
            case 3: draining = try r.uint64(w) != 0
            default: try r.skip(w)
            }
        }
    }
}
