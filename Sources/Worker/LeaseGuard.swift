import ATSShared
import Synchronization

/// How long this worker's leases certainly last, on its own monotonic clock, and so when it must
/// stop its jobs by itself (self-fencing) if it cannot renew them.
///
/// The coordinator renews a worker's leases to `now + leaseTimeout` when it processes a heartbeat
/// (or the hello), and echoes the heartbeat once that is committed. The heartbeat was sent before it
/// was processed, so `sent + leaseTimeout` is no later than the lease's expiry in PostgreSQL; the
/// worker stops its jobs a safety margin (one heartbeat interval) before that. The coordinator
/// reassigns a job only after its lease expired, so a fenced job has stopped before its successor
/// starts (docs/PROTOCOL.md, "Leases").
final class LeaseGuard: Sendable {
    private let origin = ContinuousClock.now
    /// `fenced`: given up for good (a drain past its deadline); later confirmations change nothing.
    private let state = Mutex<(validUntil: ContinuousClock.Instant?, draining: Bool, fenced: Bool)>((nil, false, false))

    /// Milliseconds on this process's monotonic clock, as heartbeats carry them.
    func milliseconds(at instant: ContinuousClock.Instant = .now) -> Int64 {
        (instant - origin).milliseconds
    }

    func instant(milliseconds ms: Int64) -> ContinuousClock.Instant { origin + .milliseconds(ms) }

    /// The coordinator renewed the leases when it processed something this worker sent at
    /// `sent`: they last until at least `sent + leaseTimeout`.
    func confirm(sent: ContinuousClock.Instant, leaseTimeout: Duration, margin: Duration) {
        let until = sent + leaseTimeout - margin
        state.withLock { s in
            if !s.fenced && s.validUntil.map({ until > $0 }) ?? true { s.validUntil = until }
        }
    }

    /// Gives up every lease now (a drain past its deadline): jobs stop at their next check.
    func fence() {
        state.withLock { s in
            s.validUntil = .now - .seconds(1)
            s.fenced = true
        }
    }

    /// Whether the leases are still certainly held (false before the first confirmation).
    var isValid: Bool {
        state.withLock { s in s.validUntil.map { ContinuousClock.now < $0 } ?? false }
    }

    var validUntil: ContinuousClock.Instant? { state.withLock { $0.validUntil } }

    /// Draining: take no new job.
    var draining: Bool {
        get { state.withLock { $0.draining } }
        set { state.withLock { $0.draining = newValue } }
    }
}
