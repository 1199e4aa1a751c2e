import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests signed in the `Authorization` header (the payload in
/// one piece), as the S3 API reference's "Signature Calculations for the Authorization Header"
/// describes it: a canonical request (method, URI-encoded path, sorted query, the signed headers
/// lower-cased, trimmed and sorted, the payload's SHA-256), a string to sign over the day's
/// scope, and an HMAC-SHA256 key derived from the secret through date, region and service. Pure:
/// the caller sends exactly the headers it was given back.
public struct S3Signer: Sendable {
    public var credentials: S3Credentials
    public var region: String
    public var service = "s3"

    /// The hash S3 expects for a request without a body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(credentials: S3Credentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// The headers to add to a request (`x-amz-date`, `x-amz-content-sha256`, the session token
    /// when there is one, and `Authorization`). `headers` are the others the request carries and
    /// that are signed with it (`host` must be among them, exactly as sent); `path` is the raw
    /// path (this encodes it); `query` the parameters, unencoded.
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
        payloadHash: String, date: Date
    ) -> [(String, String)] {
        let amzDate = Self.amzDate(date)
        var added = [("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let signed = (headers + added).map { (name: $0.0.lowercased(), value: Self.trimmed($0.1)) }
            .sorted { $0.name < $1.name }
        let names = signed.map(\.name).joined(separator: ";")
        let pairs: [(String, String)] = query.map {
            (Self.encoded($0.0, keepSlash: false), Self.encoded($0.1, keepSlash: false))
        }
        let sortedPairs = pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        let canonicalQuery = sortedPairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let canonicalHeaders = signed.map { "\($0.name):\($0.value)\n" }.joined()
        let canonical: String = [
            method, Self.encoded(path, keepSlash: true), canonicalQuery, canonicalHeaders, names, payloadHash,
        ].joined(separator: "\n")
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Array(canonical.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(toSign.utf8), using: key))
        return added + [
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope),SignedHeaders=\(names),Signature=\(signature)"
            )
        ]
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// Lower-case hex of a digest or MAC.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String { ByteEncoding.hex(bytes) }

    /// Every byte but the unreserved ones (`A-Z a-z 0-9 - _ . ~`, and `/` in a path) as `%XX`
    /// (upper-case), the encoding SigV4 signs.
    public static func encoded(_ text: String, keepSlash: Bool) -> String {
        ByteEncoding.percentEncoded(text, keepSlash: keepSlash)
    }

    /// A header's value with the spaces around it dropped and runs of spaces made one.
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
