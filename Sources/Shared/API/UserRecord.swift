import Foundation

/// A dashboard user as the API shows it (never the password hash).
public struct UserRecord: Sendable, Codable, Hashable {
    public var name: String
    public var createdBy: String
    public var createdAt: Date

    public init(name: String, createdBy: String, createdAt: Date) {
        self.name = name
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case name
        case createdBy = "created_by"
        case createdAt = "created_at"
    }
}
