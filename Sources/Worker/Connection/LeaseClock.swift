/// How long a worker's leases certainly last, on its own monotonic clock (milliseconds), and so
/// when it must stop its jobs by itself (self-fencing) if it cannot renew them. Pure; the worker
/// holds it in ``LeaseGuard``, the simulator per simulated worker.
///
/// The coordinator renews a worker's leases to `now + leaseTimeout` when it processes a heartbeat
/// (or the hello), and echoes the heartbeat once that is committed. The heartbeat was sent before
/// it was processed, so `sent + leaseTimeout` is no later than the lease's expiry in PostgreSQL;
/// the worker stops its jobs a safety margin (one heartbeat interval) before that. The coordinator
/// reassigns a job only after its lease expired, so a fenced job has stopped before its successor
/// starts (docs/PROTOCOL.md, "Leases"). A clock that runs fast fences early; one that runs slow by
/// less than margin / leaseTimeout still fences in time.
public struct LeaseClock: Sendable, Equatable {
    /// Until when the leases certainly hold (nil: never confirmed).
    public private(set) var validUntilMs: Int64?
    /// Given up for good (a drain past its deadline): later confirmations change nothing.
    public private(set) var fenced = false
    /// Counts the times the leases lapsed. A job holds its lease only under the generation it
    /// started in: once the leases lapsed, the jobs that ran then stay fenced even if a later
    /// confirmation (a reconnect's welcome) makes the clock valid again, because the coordinator
    /// may have handed them on meanwhile.
    public private(set) var generation = 0

    public init() {}

    /// The coordinator renewed the leases when it processed something this worker sent at
    /// `sentMs`: they last until at least `sentMs + leaseTimeoutMs`, less the margin.
    public mutating func confirm(sentMs: Int64, leaseTimeoutMs: Int64, marginMs: Int64, nowMs: Int64) {
        // The leases lapsed before this confirmation: the jobs running then stay fenced (the
        // coordinator may have released and reassigned them meanwhile; a reconnect's welcome
        // renews only what it found still held).
        if let valid = validUntilMs, nowMs >= valid, !fenced { generation += 1 }
        let until = sentMs + leaseTimeoutMs - marginMs
        if !fenced && validUntilMs.map({ until > $0 }) ?? true { validUntilMs = until }
    }

    /// Gives up every lease now: jobs stop at their next check.
    public mutating func fence(nowMs: Int64) {
        validUntilMs = nowMs - 1
        fenced = true
        generation += 1
    }

    /// Whether the leases are still certainly held (false before the first confirmation).
    public func isValid(nowMs: Int64) -> Bool { validUntilMs.map { nowMs < $0 } ?? false }

    /// Milliseconds until the leases lapse unless renewed (0: lapsed, or never confirmed).
    public func remainingMs(nowMs: Int64) -> Int64 { validUntilMs.map { max(0, $0 - nowMs) } ?? 0 }

    /// Whether a job started under `generation` still holds its lease.
    public func isValid(nowMs: Int64, generation: Int) -> Bool {
        generation == self.generation && isValid(nowMs: nowMs)
    }
}
