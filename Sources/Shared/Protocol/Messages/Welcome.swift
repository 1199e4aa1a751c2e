import NIOCore

/// Coordinator → worker: the handshake is accepted; heartbeat at this interval. Its proof shows the
/// coordinator knows the cluster secret too, so a worker never takes jobs from an impostor.
public struct Welcome: WireBody {
    static let name = "Welcome"
    public var protocolVersion: UInt32
    public var coordinatorId: String
    public var heartbeatIntervalMs: UInt32
    public var leaseTimeoutMs: UInt32
    /// ``HandshakeProof/coordinator(secret:version:workerId:coordinatorNonce:workerNonce:)``.
    public var proof: [UInt8]
    /// ``CoordinatorCapability``: what this coordinator does that earlier releases did not
    /// (none from an earlier release).
    public var capabilities: [String]

    public init(
        protocolVersion: UInt32 = WireProtocol.version, coordinatorId: String, heartbeatIntervalMs: UInt32,
        leaseTimeoutMs: UInt32, proof: [UInt8] = [], capabilities: [String] = []
    ) {
        self.protocolVersion = protocolVersion
        self.coordinatorId = coordinatorId
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.leaseTimeoutMs = leaseTimeoutMs
        self.proof = proof
        self.capabilities = capabilities
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, uint: UInt64(protocolVersion))
        b.writeProto(2, string: coordinatorId)
        b.writeProto(3, uint: UInt64(heartbeatIntervalMs))
        b.writeProto(4, uint: UInt64(leaseTimeoutMs))
        b.writeProto(5, bytes: proof)
        b.writeProto(6, strings: capabilities)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(protocolVersion: 0, coordinatorId: "", heartbeatIntervalMs: 0, leaseTimeoutMs: 0)
        while let (f, w) = try r.next() {
            switch f {
            case 1: protocolVersion = try r.uint32(w)
            case 2: coordinatorId = try r.string(w)
            case 3: heartbeatIntervalMs = try r.uint32(w)
            case 4: leaseTimeoutMs = try r.uint32(w)
            case 5: proof = try r.bytes(w)
            case 6: capabilities.append(try r.string(w))
            default: try r.skip(w)
            }
        }
    }
}
