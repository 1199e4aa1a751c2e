import Foundation

/// A venue credential as the API shows it: never the key or its secret, only what tells them
/// apart.
public struct CredentialRecord: Sendable, Codable, Hashable {
    public var name: String
    public var venue: String
    /// `hmac` or `ed25519`.
    public var keyType: String
    public var apiKeyLast4: String
    public var createdBy: String
    public var createdAt: Date

    public init(name: String, venue: String, keyType: String, apiKeyLast4: String, createdBy: String, createdAt: Date) {
        self.name = name
        self.venue = venue
        self.keyType = keyType
        self.apiKeyLast4 = apiKeyLast4
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case name, venue
        case keyType = "key_type"
        case apiKeyLast4 = "api_key_last4"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }
}

/// `POST /api/credentials`: a new venue credential (sent once, stored encrypted).
public struct NewCredential: Sendable, Codable {
    public var name: String
    public var venue: String
    public var keyType: String
    public var apiKey: String
    public var secret: String

    public init(name: String, venue: String = "binance", keyType: String, apiKey: String, secret: String) {
        self.name = name
        self.venue = venue
        self.keyType = keyType
        self.apiKey = apiKey
        self.secret = secret
    }

    public static let keyTypes = ["hmac", "ed25519"]

    enum CodingKeys: String, CodingKey {
        case name, venue, secret
        case keyType = "key_type"
        case apiKey = "api_key"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        venue = try c.decodeIfPresent(String.self, forKey: .venue) ?? "binance"
        keyType = try c.decode(String.self, forKey: .keyType)
        apiKey = try c.decode(String.self, forKey: .apiKey)
        secret = try c.decode(String.self, forKey: .secret)
    }
}
