import Crypto
import Foundation

/// How a worker signs an HTTP request to a coordinator (a data set's content): the header
/// `Authorization: ATS-Worker id=<worker id>, time=<unix seconds>, sig=<hex>` where `sig` is
/// `HMAC-SHA256(secret, "ATS-WORKER-HTTP" ‖ method ‖ path ‖ range ‖ worker id ‖ time)`, each value
/// length-prefixed (`range`: the request's `Range` header, empty without one). The secret is the
/// one the worker proves in its hello (its own, or the cluster secret); it never crosses the wire.
/// A signature is good for ``window`` either side of the coordinator's clock and for that one
/// method, path and range: the routes it opens only read, so a replay within the window gives a
/// listener only what it already saw go by. A set's bytes never change; its digest's
/// `in_object_store` may, and a digest replayed from before the set reached the store only sends
/// the worker to the coordinators.
public enum WorkerRequestSignature {
    public static let scheme = "ATS-Worker"
    /// How far the signed time may be from the coordinator's clock.
    public static let window: Int64 = 300

    /// The `Authorization` header's value.
    public static func header(
        secret: String, method: String, path: String, range: String = "", workerId: String, time: Int64
    ) -> String {
        "\(scheme) id=\(workerId), time=\(time), sig=\(hex(code(secret, method, path, range, workerId, time)))"
    }

    /// A header's parts (nil: not this scheme, or malformed).
    public static func parse(_ header: String) -> (workerId: String, time: Int64, signature: [UInt8])? {
        guard header.hasPrefix(scheme + " ") else { return nil }
        var fields: [String: String] = [:]
        for part in header.dropFirst(scheme.count + 1).split(separator: ",") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { return nil }
            fields[String(kv[0])] = String(kv[1])
        }
        guard let id = fields["id"], !id.isEmpty, let time = fields["time"].flatMap({ Int64($0) }),
            let hex = fields["sig"], hex.count == 64
        else { return nil }
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            bytes.append(b)
            i = j
        }
        return (id, time, bytes)
    }

    /// Whether `signature` signs these values under `secret`, at a time within the window of `now`.
    public static func isValid(
        _ signature: [UInt8], secret: String, method: String, path: String, range: String = "", workerId: String,
        time: Int64, now: Int64
    ) -> Bool {
        guard abs(now - time) <= window else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            signature, authenticating: transcript(method, path, range, workerId, time),
            using: SymmetricKey(data: Array(secret.utf8)))
    }

    /// The header that carries ``contentMAC(secret:path:range:bytes:)`` with each range.
    public static let contentHeader = "ATS-Content-MAC"

    /// What a coordinator sends beside a range of a data set: `HMAC-SHA256(secret,
    /// "ATS-WORKER-CONTENT" ‖ path ‖ range ‖ bytes)` in hex, under the asking worker's secret. The
    /// bytes may cross a network in clear; whoever alters them on the way cannot make the MAC.
    public static func contentMAC(secret: String, path: String, range: String, bytes: UnsafeRawBufferPointer)
        -> String
    {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        mac.update(data: LengthPrefixed.join(["ATS-WORKER-CONTENT", path, range]))
        mac.update(data: bytes)
        return hex(mac.finalize())
    }

    /// Whether `mac` (hex, as sent) is the content MAC of these bytes, compared in constant time.
    public static func isValidContent(
        _ mac: String, secret: String, path: String, range: String, bytes: UnsafeRawBufferPointer
    ) -> Bool {
        ConstantTime.equal(
            Array(mac.lowercased().utf8), Array(contentMAC(secret: secret, path: path, range: range, bytes: bytes).utf8)
        )
    }

    static func code(
        _ secret: String, _ method: String, _ path: String, _ range: String, _ workerId: String, _ time: Int64
    ) -> [UInt8] {
        Array(
            HMAC<SHA256>.authenticationCode(
                for: transcript(method, path, range, workerId, time), using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// The signed values, each length-prefixed so no two different tuples give the same bytes.
    static func transcript(_ method: String, _ path: String, _ range: String, _ workerId: String, _ time: Int64)
        -> [UInt8]
    {
        LengthPrefixed.join(["ATS-WORKER-HTTP", method, path, range, workerId, String(time)])
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
