import ATSShared
import Synchronization

/// The worker's ``LeaseClock`` on the process's monotonic clock, shared by the connection (which
/// confirms it) and the jobs (which check it before every chunk and stop when it lapses).
final class LeaseGuard: Sendable {
    /// The worker's time: heartbeats carry it, leases are counted in it, jobs pace by it.
    let time: any JobClock
    private let clock = Mutex(LeaseClock())

    init(time: any JobClock = MonotonicClock()) { self.time = time }

    /// Milliseconds on the worker's monotonic clock, as heartbeats carry them.
    func milliseconds() -> Int64 { time.elapsed.milliseconds }

    func confirm(sentMs: Int64, leaseTimeoutMs: Int64, marginMs: Int64) {
        let now = milliseconds()
        clock.withLock { $0.confirm(sentMs: sentMs, leaseTimeoutMs: leaseTimeoutMs, marginMs: marginMs, nowMs: now) }
    }

    /// Gives up every lease now (a drain past its deadline): jobs stop at their next check.
    func fence() {
        let now = milliseconds()
        clock.withLock { $0.fence(nowMs: now) }
    }

    /// Whether the leases are still certainly held (false before the first confirmation).
    var isValid: Bool {
        let now = milliseconds()
        return clock.withLock { $0.isValid(nowMs: now) }
    }

    /// How long until the leases lapse unless renewed (zero: lapsed, or never confirmed): a job
    /// waiting for its next event wakes then, so it stops at the lapse, not up to a check later.
    func remaining() -> Duration {
        let now = milliseconds()
        return .milliseconds(clock.withLock { $0.remainingMs(nowMs: now) })
    }

    /// The lapses so far: a job holds its lease only under the generation it started in.
    var generation: Int { clock.withLock { $0.generation } }

    /// Whether a job started under `generation` still holds its lease.
    func isValid(generation: Int) -> Bool {
        let now = milliseconds()
        return clock.withLock { $0.isValid(nowMs: now, generation: generation) }
    }
}
