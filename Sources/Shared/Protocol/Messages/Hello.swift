import NIOCore

/// Worker → coordinator, first frame: who the worker is, what it can run, and the jobs it still
/// holds from before a reconnect.
public struct Hello: WireBody {
    static let name = "Hello"
    public var protocolVersion: UInt32
    public var workerId: String
    public var host: String
    public var capacity: UInt32
    public var labels: [String]
    public var token: String
    public var running: [JobLease]
    public var softwareVersion: String

    public init(
        protocolVersion: UInt32 = WireProtocol.version, workerId: String, host: String, capacity: UInt32,
        labels: [String], token: String, running: [JobLease] = [], softwareVersion: String = ""
    ) {
        self.protocolVersion = protocolVersion
        self.workerId = workerId
        self.host = host
        self.capacity = capacity
        self.labels = labels
        self.token = token
        self.running = running
        self.softwareVersion = softwareVersion
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, uint: UInt64(protocolVersion))
        b.writeProto(2, string: workerId)
        b.writeProto(3, string: host)
        b.writeProto(4, uint: UInt64(capacity))
        b.writeProto(5, strings: labels)
        b.writeProto(6, string: token)
        for lease in running { b.writeProto(7) { lease.encode(into: &$0) } }
        b.writeProto(8, string: softwareVersion)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(protocolVersion: 0, workerId: "", host: "", capacity: 0, labels: [], token: "")
        while let (f, w) = try r.next() {
            switch f {
            case 1: protocolVersion = try r.uint32(w)
            case 2: workerId = try r.string(w)
            case 3: host = try r.string(w)
            case 4: capacity = try r.uint32(w)
            case 5: labels.append(try r.string(w))
            case 6: token = try r.string(w)
            case 7: running.append(try JobLease(r.lengthDelimited(w)))
            case 8: softwareVersion = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
