import Foundation

/// The global kill switch as the API shows it (`GET/POST/DELETE /api/kill`): thrown or not, why,
/// whether positions are flattened, and how many live jobs it held when thrown.
public struct KillSwitchState: Sendable, Codable, Hashable {
    public var thrown: Bool
    public var reason: String?
    public var flatten: Bool
    public var at: Date?
    /// Live jobs held by this request (a POST); nil otherwise.
    public var held: Int?

    public init(thrown: Bool, reason: String? = nil, flatten: Bool = false, at: Date? = nil, held: Int? = nil) {
        self.thrown = thrown
        self.reason = reason
        self.flatten = flatten
        self.at = at
        self.held = held
    }
}

/// A kill request's body: `{"flatten": true}` (empty: no flatten).
public struct KillRequest: Sendable, Codable, Hashable {
    public var flatten: Bool

    public init(flatten: Bool = false) { self.flatten = flatten }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        flatten = try c.decodeIfPresent(Bool.self, forKey: .flatten) ?? false
    }
}
