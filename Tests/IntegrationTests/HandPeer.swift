import ATSShared
import ATSTestSupport
import NIOCore

/// A worker connection driven by hand, for peers that are not our worker: it reads the
/// coordinator's challenge and sends whatever frames the test builds.
struct HandPeer {
    let connection: RawConnection
    let challenge: Challenge

    init(port: Int, receiveTimeout: Int = 5) async throws {
        connection = try RawConnection(port: port, receiveTimeout: receiveTimeout)
        guard let frame = await connection.readFrame(), case .challenge(let c) = try Self.decode(frame) else {
            throw TestEnvironmentError("the coordinator did not open with a Challenge")
        }
        challenge = c
    }

    static func decode(_ frame: (type: UInt8, body: [UInt8])) throws -> WireMessage {
        var body = ByteBufferAllocator().buffer(capacity: frame.body.count)
        body.writeBytes(frame.body)
        return try WireMessage.decode(type: frame.type, body: body)
    }

    func frameBytes(_ message: WireMessage) -> [UInt8] {
        var b = ByteBufferAllocator().buffer(capacity: 128)
        message.writeFrame(into: &b)
        return Array(b.readableBytesView)
    }

    func send(_ message: WireMessage) {
        connection.send(frameBytes(message))
    }

    /// The next frame from the coordinator, decoded; nil once it closed the connection.
    func receive() async throws -> WireMessage? {
        try await connection.readFrame().map(Self.decode)
    }

    /// A hello for this connection's challenge (or another's nonce), proven with `secret`.
    func hello(
        _ id: String, secret: String = TestCluster.workerToken, version: UInt32 = WireProtocol.version,
        nonce: [UInt8]? = nil, capabilities: [String] = []
    ) -> Hello {
        let workerNonce = HandshakeProof.nonce()
        return Hello(
            protocolVersion: version, workerId: id, host: "hand", capacity: 1, labels: [], workerNonce: workerNonce,
            proof: HandshakeProof.worker(
                secret: secret, version: version, workerId: id, coordinatorNonce: nonce ?? challenge.nonce,
                workerNonce: workerNonce), capabilities: capabilities)
    }
}
