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

/// Shared instants on a worker's clock: the jobs that wait on one period (a paced job's bar, a
/// market job's look at its lease) wake at its multiples, all at once, rather than each on a timer
/// of its own — a thousand jobs cost the executor one wake-up per period, not a thousand.
enum ClockTicks {
    /// The first multiple of `period` after `now` (whole milliseconds, a period of at least one).
    static func next(after now: Duration, period: Duration) -> Duration {
        let p = max(period.milliseconds, 1)
        return .milliseconds((now.milliseconds / p + 1) * p)
    }
}
