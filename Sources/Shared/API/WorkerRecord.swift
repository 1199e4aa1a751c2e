import Foundation

/// A worker row, with what the coordinator knows of its load.
public struct WorkerRecord: Sendable, Codable, Hashable {
    public var id: String
    public var host: String
    public var capacity: Int
    public var labels: [String]
    public var version: String
    public var connected: Bool
    public var runningJobs: Int
    public var firstSeenAt: Date
    public var lastHeartbeatAt: Date
    /// An operator drained it: it gets no job until undrained.
    public var draining: Bool

    public init(
        id: String, host: String, capacity: Int, labels: [String], version: String, connected: Bool, runningJobs: Int,
        firstSeenAt: Date, lastHeartbeatAt: Date, draining: Bool = false
    ) {
        self.draining = draining
        self.id = id
        self.host = host
        self.capacity = capacity
        self.labels = labels
        self.version = version
        self.connected = connected
        self.runningJobs = runningJobs
        self.firstSeenAt = firstSeenAt
        self.lastHeartbeatAt = lastHeartbeatAt
    }

    enum CodingKeys: String, CodingKey {
        case id, host, capacity, labels, version, connected, draining
        case runningJobs = "running_jobs"
        case firstSeenAt = "first_seen_at"
        case lastHeartbeatAt = "last_heartbeat_at"
    }
}
