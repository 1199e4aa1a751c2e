import Foundation

/// A dashboard user as the API shows it (never the password hash).
public struct UserRecord: Sendable, Codable, Hashable {
    public var name: String
    public var createdBy: String
    public var createdAt: Date
    public var role: Role

    public init(name: String, createdBy: String, createdAt: Date, role: Role) {
        self.name = name
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case name, role
        case createdBy = "created_by"
        case createdAt = "created_at"
    }
}
