/// What a dashboard user may do. Each role may do everything the ones below it may.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads jobs, fills, events, workers, logs and the live stream.
    case viewer
    /// Also creates jobs and starts, stops, reloads, duplicates and deletes them.
    case trader
    /// Also manages users and drains workers. The admin token acts as an admin.
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .trader: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}
