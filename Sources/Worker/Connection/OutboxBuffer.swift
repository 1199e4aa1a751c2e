import ATSShared

/// Messages sent to the coordinator and not yet acknowledged, in order, with their sequence
/// numbers: the pure part of ``Outbox`` (the simulator holds one per simulated worker). They
/// survive a lost connection and are resent, in order, on the next one; the coordinator's writes
/// are idempotent, so a resend never duplicates.
public struct OutboxBuffer: Sendable {
    private var pending: [(seq: UInt64, message: WireMessage)] = []
    private var head = 0
    public private(set) var nextSeq: UInt64 = 1
    public let limit: Int
    /// Draining: every job's last messages go in without waiting for room.
    public private(set) var unbounded = false
    /// The process is leaving: nothing more is kept.
    public private(set) var closed = false

    public init(limit: Int) { self.limit = max(1, limit) }

    public var count: Int { pending.count - head }
    /// Messages held in memory, acknowledged ones included (at most about twice ``count``).
    public var retained: Int { pending.count }

    /// Whether an append goes in now (otherwise its producer waits: backpressure).
    public var hasRoom: Bool { count < limit || unbounded || closed }

    /// Adds the message built for the next sequence number; nil once closed (dropped).
    public mutating func append(_ make: (UInt64) -> WireMessage) -> WireMessage? {
        guard !closed else { return nil }
        let seq = nextSeq
        nextSeq += 1
        let message = make(seq)
        pending.append((seq, message))
        return message
    }

    /// Drops everything up to `seq` (acks are cumulative).
    public mutating func ack(_ seq: UInt64) {
        while head < pending.count && pending[head].seq <= seq { head += 1 }
        // Acknowledged messages are let go once they are half the buffer (amortised); keeping a
        // few hundred held a sweep's chunk records, megabytes each.
        if head > 0 && head * 2 >= pending.count {
            pending.removeFirst(head)
            head = 0
        }
    }

    /// What a new connection sends first: everything unacknowledged, in order.
    public var unacknowledged: [WireMessage] { pending[head...].map(\.message) }

    public mutating func setUnbounded() { unbounded = true }

    public mutating func close() { closed = true }
}
