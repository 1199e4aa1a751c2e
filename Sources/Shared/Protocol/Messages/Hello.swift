import NIOCore

/// Worker → coordinator, in answer to ``Challenge``: who the worker is, what it can run, the jobs
/// it still holds from before a reconnect, and its proof of the cluster secret (the secret itself
/// never crosses the wire).
public struct Hello: WireBody {
    static let name = "Hello"
    public var protocolVersion: UInt32
    public var workerId: String
    public var host: String
    public var capacity: UInt32
    public var labels: [String]
    public var running: [JobLease]
    public var softwareVersion: String
    /// The worker's fresh nonce, which the coordinator's proof in ``Welcome`` covers.
    public var workerNonce: [UInt8]
    /// ``HandshakeProof/worker(secret:version:workerId:coordinatorNonce:workerNonce:)``.
    public var proof: [UInt8]
    /// Random per worker process: a reconnect of the same process replaces its old connection, a
    /// second process under the same id is refused (`DUPLICATE_WORKER`).
    public var instance: String
    /// What this worker's release can run beyond the protocol's base (``WorkerCapability``); the
    /// scheduler gives a job that needs one only to a worker that says it has it.
    public var capabilities: [String]

    public init(
        protocolVersion: UInt32 = WireProtocol.version, workerId: String, host: String, capacity: UInt32,
        labels: [String], running: [JobLease] = [], softwareVersion: String = "", workerNonce: [UInt8] = [],
        proof: [UInt8] = [], instance: String = "", capabilities: [String] = []
    ) {
        self.protocolVersion = protocolVersion
        self.workerId = workerId
        self.host = host
        self.capacity = capacity
        self.labels = labels
        self.running = running
        self.softwareVersion = softwareVersion
        self.workerNonce = workerNonce
        self.proof = proof
        self.instance = instance
        self.capabilities = capabilities
    }

    /// A hello answering `challenge`, proven with `secret` over the worker's `nonce` (fresh by
    /// default).
    public init(
        answering challenge: Challenge, secret: String, workerId: String, host: String, capacity: UInt32,
        labels: [String], running: [JobLease], softwareVersion: String, instance: String,
        capabilities: [String] = WorkerCapability.all, nonce: [UInt8] = HandshakeProof.nonce()
    ) {
        self.init(
            workerId: workerId, host: host, capacity: capacity, labels: labels, running: running,
            softwareVersion: softwareVersion, workerNonce: nonce,
            proof: HandshakeProof.worker(
                secret: secret, version: WireProtocol.version, workerId: workerId, coordinatorNonce: challenge.nonce,
                workerNonce: nonce), instance: instance, capabilities: capabilities)
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, uint: UInt64(protocolVersion))
        b.writeProto(2, string: workerId)
        b.writeProto(3, string: host)
        b.writeProto(4, uint: UInt64(capacity))
        b.writeProto(5, strings: labels)
        // Field 6 carried the secret itself in protocol version 1; never reused.
        for lease in running { b.writeProto(7) { lease.encode(into: &$0) } }
        b.writeProto(8, string: softwareVersion)
        b.writeProto(9, bytes: workerNonce)
        b.writeProto(10, bytes: proof)
        b.writeProto(11, string: instance)
        b.writeProto(12, strings: capabilities)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(protocolVersion: 0, workerId: "", host: "", capacity: 0, labels: [])
        while let (f, w) = try r.next() {
            switch f {
            case 1: protocolVersion = try r.uint32(w)
            case 2: workerId = try r.string(w)
            case 3: host = try r.string(w)
            case 4: capacity = try r.uint32(w)
            case 5: labels.append(try r.string(w))
            case 7: running.append(try JobLease(r.lengthDelimited(w)))
            case 8: softwareVersion = try r.string(w)
            case 9: workerNonce = try r.bytes(w)
            case 10: proof = try r.bytes(w)
            case 11: instance = try r.string(w)
            case 12: capabilities.append(try r.string(w))
            default: try r.skip(w)
            }
        }
    }
}
