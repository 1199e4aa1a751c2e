import ATSShared

/// The worker's ``OutboxBuffer`` shared by its jobs and its connection. When `limit` messages wait
/// for acks, `append` suspends: the job producing them pauses (backpressure) rather than dropping
/// anything.
actor Outbox {
    private var buffer: OutboxBuffer
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var sink: AsyncStream<WireMessage>.Continuation?

    init(limit: Int) {
        buffer = OutboxBuffer(limit: limit)
    }

    var count: Int { buffer.count }

    /// Adds a message built for its sequence number, waiting for room first.
    func append(_ make: @Sendable (UInt64) -> WireMessage) async {
        while !buffer.hasRoom {
            await withCheckedContinuation { waiters.append($0) }
        }
        if let message = buffer.append(make) { sink?.yield(message) }
    }

    /// Drops everything up to `seq` (acks are cumulative) and wakes waiting producers.
    func ack(_ seq: UInt64) {
        buffer.ack(seq)
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
        buffer.setUnbounded()
        wakeAll()
    }

    /// Stops keeping messages: waiting producers go on, later appends are dropped.
    func close() {
        buffer.close()
        wakeAll()
    }

    /// A new connection: everything unacknowledged is sent again, in order.
    func attach(_ sink: AsyncStream<WireMessage>.Continuation) {
        self.sink = sink
        for message in buffer.unacknowledged { sink.yield(message) }
    }

    func detach() { sink = nil }

    /// Waits until every message is acknowledged, or the deadline passes.
    func drain(until deadline: ContinuousClock.Instant) async -> Bool {
        while buffer.count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return buffer.count == 0
    }
}

extension Outbox {
    /// The messages not acknowledged yet, oldest first.
    var pending: [WireMessage] { buffer.unacknowledged }
}
