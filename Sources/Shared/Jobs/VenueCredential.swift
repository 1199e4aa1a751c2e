import Foundation

/// A venue API key as a live job's assignment carries it to the worker (opened from the
/// coordinator's vault for that assignment; never stored or logged by the worker).
public struct VenueCredential: Sendable, Codable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var name: String
    /// `hmac` or `ed25519`.
    public var keyType: String
    public var apiKey: String
    /// The HMAC secret, or the Ed25519 private key (PKCS#8 PEM or raw base64).
    public var secret: String

    public init(name: String, keyType: String, apiKey: String, secret: String) {
        self.name = name
        self.keyType = keyType
        self.apiKey = apiKey
        self.secret = secret
    }

    public var description: String { "credential \(name) (\(keyType), API key …\(apiKey.suffix(4)))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "keyType": keyType]) }

    public func encoded() -> [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    public static func decode(_ bytes: [UInt8]) -> VenueCredential? {
        try? JSONDecoder().decode(VenueCredential.self, from: Data(bytes))
    }
}
