import NIOCore

/// Coordinator → worker, then close: why the connection is refused.
public struct Refuse: WireBody {
    static let name = "Refuse"

    public enum Code: UInt32, Sendable {
        case unspecified = 0
        case unsupportedVersion = 1
        case badCredentials = 2
        case badRequest = 3
        case duplicateWorker = 4
        case shuttingDown = 5
        /// A standby coordinator: connect to `leaderAddress` (when known) instead.
        case notLeader = 6
    }

    public var code: Code
    public var reason: String
    public var supportedVersions: [UInt32]
    /// With `notLeader`: the leader's worker address (`host:port`), or empty when unknown.
    public var leaderAddress: String

    public init(
        code: Code, reason: String, supportedVersions: [UInt32] = WireProtocol.supportedVersions,
        leaderAddress: String = ""
    ) {
        self.code = code
        self.reason = reason
        self.supportedVersions = supportedVersions
        self.leaderAddress = leaderAddress
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, uint: UInt64(code.rawValue))
        b.writeProto(2, string: reason)
        for v in supportedVersions {
            b.writeTag(3, 0)
            b.writeVarint(UInt64(v))
        }
        b.writeProto(4, string: leaderAddress)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(code: .unspecified, reason: "", supportedVersions: [])
        while let (f, w) = try r.next() {
            switch f {
            case 1: code = Code(rawValue: try r.uint32(w)) ?? .unspecified
            case 2: reason = try r.string(w)
            case 3: supportedVersions += try r.uint32s(w)
            case 4: leaderAddress = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
