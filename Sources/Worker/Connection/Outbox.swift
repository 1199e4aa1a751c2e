import ATSShared

/// The worker's ``OutboxBuffer`` shared by its jobs and its connection. When `limit` messages wait
/// for acks, `append` suspends: the job producing them pauses (backpressure) rather than dropping
/// anything.
actor Outbox {
    private var buffer: OutboxBuffer
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var sink: AsyncStream<WireMessage>.Continuation?
    /// Whether the coordinator connected now stores compressed checkpoint state (its Welcome
    /// said so): to one that did not, a checkpoint goes out plain (``WireMessage/plainCheckpoint``).
    private var compressesCheckpoints = true

    init(limit: Int) {
        buffer = OutboxBuffer(limit: limit)
    }

    var count: Int { buffer.count }

    /// Adds a message built for its sequence number, waiting for room first.
    func append(_ make: @Sendable (UInt64) -> WireMessage) async {
        while !buffer.hasRoom {
            await withCheckedContinuation { waiters.append($0) }
        }
        if let message = buffer.append(make) { sink?.yield(outgoing(message)) }
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

    /// A new connection: everything unacknowledged is sent again, in order, in the form its
    /// coordinator reads.
    func attach(_ sink: AsyncStream<WireMessage>.Continuation, compressesCheckpoints: Bool = true) {
        self.sink = sink
        self.compressesCheckpoints = compressesCheckpoints
        for message in buffer.unacknowledged { sink.yield(outgoing(message)) }
    }

    private func outgoing(_ message: WireMessage) -> WireMessage {
        compressesCheckpoints ? message : message.plainCheckpoint
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
