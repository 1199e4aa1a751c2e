import Foundation

/// A worker row, with what the coordinator knows of its load.
public struct WorkerRecord: Sendable, Codable, Hashable {
    public var id: String
    public var host: String
    public var capacity: Int
    public var labels: [String]
    public var version: String
    public var connected: Bool
    /// Jobs it runs (started).
    public var runningJobs: Int
    /// Jobs handed to it and not started yet: a sweep chunk held for its next free slot, or a job
    /// starting (0 from a coordinator of an earlier release, which counted them as running).
    public var assignedJobs: Int
    public var firstSeenAt: Date
    public var lastHeartbeatAt: Date
    /// An operator drained it: it gets no job until undrained.
    public var draining: Bool

    public init(
        id: String, host: String, capacity: Int, labels: [String], version: String, connected: Bool, runningJobs: Int,
        firstSeenAt: Date, lastHeartbeatAt: Date, draining: Bool = false, assignedJobs: Int = 0
    ) {
        self.draining = draining
        self.assignedJobs = assignedJobs
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
        case assignedJobs = "assigned_jobs"
        case firstSeenAt = "first_seen_at"
        case lastHeartbeatAt = "last_heartbeat_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        host = try c.decode(String.self, forKey: .host)
        capacity = try c.decode(Int.self, forKey: .capacity)
        labels = try c.decode([String].self, forKey: .labels)
        version = try c.decode(String.self, forKey: .version)
        connected = try c.decode(Bool.self, forKey: .connected)
        runningJobs = try c.decode(Int.self, forKey: .runningJobs)
        assignedJobs = try c.decodeIfPresent(Int.self, forKey: .assignedJobs) ?? 0
        firstSeenAt = try c.decode(Date.self, forKey: .firstSeenAt)
        lastHeartbeatAt = try c.decode(Date.self, forKey: .lastHeartbeatAt)
        draining = try c.decode(Bool.self, forKey: .draining)
    }
}
