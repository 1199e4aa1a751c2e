/// A job's actual state. `pending → assigned → running → completed | failed | stopped`; a lost
/// lease sends an active job back to `pending` (or to `stopped` if it was asked to stop).
public enum JobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, assigned, running, completed, failed, stopped

    /// Assigned to a worker that may be running it.
    public var isActive: Bool { self == .assigned || self == .running }
    /// Will not change without an operator.
    public var isTerminal: Bool { self == .completed || self == .failed || self == .stopped }
}

/// What the operator wants.
public enum DesiredState: String, Sendable, Hashable, Codable {
    case running, stopped
}
