/// The time a worker's leases and jobs run by: the process's monotonic clock, or one a test moves
/// by hand (a paced job's hours in milliseconds, a lease that lapses exactly when asked).
public protocol JobClock: Sendable {
    /// Monotonic time since the clock's origin.
    var elapsed: Duration { get }
    func sleep(for duration: Duration) async throws
}

/// The process's monotonic clock.
public struct MonotonicClock: JobClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var elapsed: Duration { .now - origin }

    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
