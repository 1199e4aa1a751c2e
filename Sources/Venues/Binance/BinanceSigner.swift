import Crypto
import Foundation

/// Signs Binance requests as the spot API documentation specifies ("SIGNED Endpoint security"):
/// the payload is the query string (parameters in the order given, values percent-encoded)
/// followed, without a separator, by the form body; an HMAC-SHA256 key signs it as lowercase hex,
/// an Ed25519 key as base64, which is then percent-encoded. The bytes signed are the bytes sent.
public struct BinanceSigner: Sendable {
    public enum Key: Sendable {
        /// An HMAC secret key (the docs now call these deprecated).
        case hmac(secret: String)
        /// An Ed25519 private key (recommended), its 32 raw bytes.
        case ed25519(rawPrivateKey: Data)
    }

    public let key: Key
    /// What signing needs, prepared once: the HMAC secret's bytes, or the expanded Ed25519 key
    /// (expanding the 32-byte seed costs a SHA-512 per signature otherwise).
    private let prepared: Prepared

    private enum Prepared: @unchecked Sendable {
        case hmac([UInt8])
        case ed25519(Curve25519.Signing.PrivateKey?)
    }

    public init(_ key: Key) {
        self.key = key
        switch key {
        case .hmac(let secret): prepared = .hmac(Array(secret.utf8))
        case .ed25519(let raw): prepared = .ed25519(try? Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        }
    }

    /// `name=value&…` with every value (and name) percent-encoded except RFC 3986's unreserved
    /// characters, as the docs' examples encode `１２３４５６`.
    public static func query(_ parameters: [(String, String)]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(parameters.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 2 } + 16)
        for (k, (name, value)) in parameters.enumerated() {
            if k > 0 { out.append(UInt8(ascii: "&")) }
            ByteEncoding.appendPercentEncoded(name, to: &out)
            out.append(UInt8(ascii: "="))
            ByteEncoding.appendPercentEncoded(value, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986 percent-encoding of everything but `A–Z a–z 0–9 - _ . ~`, on the UTF-8 bytes.
    public static func percentEncoded(_ text: String) -> String { ByteEncoding.percentEncoded(text) }

    /// Lowercase hex, as Binance writes HMAC signatures.
    private static func hex(_ bytes: some Sequence<UInt8>) -> String { ByteEncoding.hex(bytes) }

    private func ed25519Key() throws -> Curve25519.Signing.PrivateKey {
        guard case .ed25519(let key?) = prepared else { throw CryptoKitError.incorrectKeySize }
        return key
    }

    /// The signature of `payload` (query string, then body), as it goes into the `signature`
    /// parameter: hex for HMAC; base64, percent-encoded, for Ed25519.
    public func signature(of payload: String) throws -> String {
        switch prepared {
        case .hmac(let secret):
            return Self.hex(
                HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: SymmetricKey(data: secret)))
        case .ed25519:
            return Self.percentEncoded(try ed25519Key().signature(for: Array(payload.utf8)).base64EncodedString())
        }
    }

    /// The signature of a WebSocket API request: every parameter but `signature`, sorted by name,
    /// as `name=value` pairs of UTF-8 text (not percent-encoded), as the WebSocket API
    /// documentation's example signs them; HMAC as hex, Ed25519 as plain base64.
    public func webSocketSignature(of parameters: [(String, String)]) throws -> String {
        let payload = parameters.filter { $0.0 != "signature" }.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        switch prepared {
        case .hmac: return try signature(of: payload)
        case .ed25519: return try ed25519Key().signature(for: Array(payload.utf8)).base64EncodedString()
        }
    }

    /// The query string to send: the parameters, then `signature=` over exactly them (and the
    /// body, if the request has one).
    public func signedQuery(_ parameters: [(String, String)], body: String = "") throws -> String {
        let query = Self.query(parameters)
        return query + "&signature=" + (try signature(of: body.isEmpty ? query : query + body))
    }
}

/// A key never shows itself: not in logs, errors or debug output.
extension BinanceSigner.Key: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
    public var description: String {
        switch self {
        case .hmac: "HMAC key (redacted)"
        case .ed25519: "Ed25519 key (redacted)"
        }
    }
    public var debugDescription: String { description }
}

extension BinanceSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["key": key], displayStyle: .struct) }
    public var description: String { "BinanceSigner(\(key))" }
    public var debugDescription: String { description }
}

extension BinanceSigner {
    /// The DER prefix of an Ed25519 private key in PKCS#8 (RFC 8410): the 32 key bytes follow.
    static let pkcs8Ed25519Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    /// An Ed25519 private key's 32 raw bytes from the forms keys are kept in: PKCS#8 PEM (what
    /// Binance's key generator writes, `-----BEGIN PRIVATE KEY-----`), or the raw bytes in
    /// base64. Nil for anything else.
    public static func ed25519RawKey(from text: String) -> Data? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN PRIVATE KEY-----") {
            let body = trimmed.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            guard let der = Data(base64Encoded: body), der.count == 48, Array(der.prefix(16)) == pkcs8Ed25519Prefix
            else { return nil }
            return der.suffix(32)
        }
        guard let raw = Data(base64Encoded: trimmed), raw.count == 32 else { return nil }
        return raw
    }
}
