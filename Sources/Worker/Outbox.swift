import ATSShared

/// Messages sent to the coordinator and not yet acknowledged, in order. They survive a lost
/// connection and are resent, in order, on the next one; the coordinator's inserts are
/// idempotent, so a resend never duplicates. When `limit` messages wait for acks, `append`
/// suspends: the job producing them pauses (backpressure) rather than dropping anything.
actor Outbox {
    private var pending: [(seq: UInt64, message: WireMessage)] = []
    private var head = 0
    private var nextSeq: UInt64 = 1
    private let limit: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var sink: AsyncStream<WireMessage>.Continuation?
    /// Draining: every job's last messages go in without waiting for room.
    private var unbounded = false
    /// The process is leaving: nothing more is kept (the coordinator resumes the jobs from their
    /// last stored checkpoints).
    private var closed = false

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var count: Int { pending.count - head }

    /// Adds a message built for its sequence number, waiting for room first.
    func append(_ make: @Sendable (UInt64) -> WireMessage) async {
        while count >= limit && !unbounded && !closed {
            await withCheckedContinuation { waiters.append($0) }
        }
        if closed { return }
        let seq = nextSeq
        nextSeq += 1
        let message = make(seq)
        pending.append((seq, message))
        sink?.yield(message)
    }

    /// Drops everything up to `seq` (acks are cumulative) and wakes waiting producers.
    func ack(_ seq: UInt64) {
        while head < pending.count && pending[head].seq <= seq { head += 1 }
        if head > 256 && head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
        wakeAll()
    }

    private func wakeAll() {
        let ready = waiters
        waiters.removeAll()
        for w in ready { w.resume() }
    }

    /// Draining: appends no longer wait for room (a draining worker's jobs must get their
    /// checkpoints and releases out, not queue behind each other's acks).
    func setUnbounded() {
        unbounded = true
        wakeAll()
    }

    /// Stops keeping messages: waiting producers go on, later appends are dropped.
    func close() {
        closed = true
        wakeAll()
    }

    /// A new connection: everything unacknowledged is sent again, in order.
    func attach(_ sink: AsyncStream<WireMessage>.Continuation) {
        self.sink = sink
        for k in head..<pending.count { sink.yield(pending[k].message) }
    }

    func detach() { sink = nil }

    /// Waits until every message is acknowledged, or the deadline passes.
    func drain(until deadline: ContinuousClock.Instant) async -> Bool {
        while count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return count == 0
    }
}
