import NIOCore

/// Coordinator → worker, first frame of every connection: the protocol versions it speaks and a
/// fresh nonce the worker's hello must prove the cluster secret over (``HandshakeProof``).
public struct Challenge: WireBody {
    static let name = "Challenge"
    public var supportedVersions: [UInt32]
    public var nonce: [UInt8]
    public var coordinatorId: String

    public init(supportedVersions: [UInt32] = WireProtocol.supportedVersions, nonce: [UInt8], coordinatorId: String) {
        self.supportedVersions = supportedVersions
        self.nonce = nonce
        self.coordinatorId = coordinatorId
    }

    func encode(into b: inout ByteBuffer) {
        for v in supportedVersions {
            b.writeTag(1, 0)
            b.writeVarint(UInt64(v))
        }
        b.writeProto(2, bytes: nonce)
        b.writeProto(3, string: coordinatorId)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(supportedVersions: [], nonce: [], coordinatorId: "")
        while let (f, w) = try r.next() {
            switch f {
            case 1: supportedVersions += try r.uint32s(w)
            case 2: nonce = try r.bytes(w)
            case 3: coordinatorId = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
