import Foundation

/// What the worker's `/healthz` says: whether it is connected to a coordinator, what it runs,
/// how full its outbox is.
public struct WorkerStatus: Sendable, Codable, Equatable {
    public var workerId: String
    public var connected: Bool
    /// The coordinator this worker is connected to (its instance name), when connected.
    public var coordinator: String?
    public var draining: Bool
    public var jobs: [Int64]
    public var capacity: Int
    public var outbox: Int
    public var outboxLimit: Int
    /// Whether the leases are confirmed for now (false: jobs stop themselves).
    public var leaseValid: Bool
    public var version: String

    enum CodingKeys: String, CodingKey {
        case connected, coordinator, draining, jobs, capacity, outbox, version
        case workerId = "worker_id"
        case outboxLimit = "outbox_limit"
        case leaseValid = "lease_valid"
    }
}
