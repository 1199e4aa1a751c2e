import Crypto

/// The challenge–response that authenticates both ends of a worker connection with the cluster
/// secret (`ATS_WORKER_TOKEN`), which never crosses the wire (docs/PROTOCOL.md, "Handshake").
///
/// The coordinator opens with a fresh random nonce; the worker answers with its own nonce and
/// `HMAC-SHA256(secret, "ATS-HELLO" ‖ version ‖ worker id ‖ coordinator nonce ‖ worker nonce)`;
/// the coordinator proves it knows the secret too with an HMAC over the same values under another
/// label. A recorded hello is worthless on a later connection (another nonce), and a version
/// downgrade breaks the worker's proof.
public enum HandshakeProof {
    /// Bytes in each nonce.
    public static let nonceSize = 32

    /// A nonce from the system's cryptographically secure generator (getrandom on Linux).
    public static func nonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<nonceSize).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// What the worker sends in its hello.
    public static func worker(
        secret: String, version: UInt32, workerId: String, coordinatorNonce: [UInt8], workerNonce: [UInt8]
    ) -> [UInt8] {
        code(.worker, secret, version, workerId, coordinatorNonce, workerNonce)
    }

    /// What the coordinator sends in its welcome.
    public static func coordinator(
        secret: String, version: UInt32, workerId: String, coordinatorNonce: [UInt8], workerNonce: [UInt8]
    ) -> [UInt8] {
        code(.coordinator, secret, version, workerId, coordinatorNonce, workerNonce)
    }

    /// Whether `proof` is the worker's proof for these values (compared in constant time).
    public static func isValidWorker(
        _ proof: [UInt8], secret: String, version: UInt32, workerId: String, coordinatorNonce: [UInt8],
        workerNonce: [UInt8]
    ) -> Bool {
        isValid(proof, .worker, secret, version, workerId, coordinatorNonce, workerNonce)
    }

    /// Whether `proof` is the coordinator's proof for these values (compared in constant time).
    public static func isValidCoordinator(
        _ proof: [UInt8], secret: String, version: UInt32, workerId: String, coordinatorNonce: [UInt8],
        workerNonce: [UInt8]
    ) -> Bool {
        isValid(proof, .coordinator, secret, version, workerId, coordinatorNonce, workerNonce)
    }

    /// Which side proves: each signs under its own label, so one side's proof never passes for
    /// the other's.
    private enum Side: String {
        case worker = "ATS-HELLO"
        case coordinator = "ATS-WELCOME"
    }

    private static func code(
        _ side: Side, _ secret: String, _ version: UInt32, _ workerId: String, _ coordinatorNonce: [UInt8],
        _ workerNonce: [UInt8]
    ) -> [UInt8] {
        Array(
            HMAC<SHA256>.authenticationCode(
                for: transcript(side.rawValue, version, workerId, coordinatorNonce, workerNonce), using: key(secret)))
    }

    private static func isValid(
        _ proof: [UInt8], _ side: Side, _ secret: String, _ version: UInt32, _ workerId: String,
        _ coordinatorNonce: [UInt8], _ workerNonce: [UInt8]
    ) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(
            proof, authenticating: transcript(side.rawValue, version, workerId, coordinatorNonce, workerNonce),
            using: key(secret))
    }

    private static func key(_ secret: String) -> SymmetricKey { SymmetricKey(data: Array(secret.utf8)) }

    /// The authenticated values, each length-prefixed so no two different tuples give the same
    /// bytes.
    private static func transcript(
        _ label: String, _ version: UInt32, _ workerId: String, _ coordinatorNonce: [UInt8], _ workerNonce: [UInt8]
    ) -> [UInt8] {
        LengthPrefixed.join([
            Array(label.utf8), LengthPrefixed.bigEndian(version), Array(workerId.utf8), coordinatorNonce, workerNonce,
        ])
    }
}
