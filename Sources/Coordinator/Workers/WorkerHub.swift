import ATSShared

/// The connected workers: what each can run, and the way to send it a message. One session per
/// worker id; a reconnecting worker replaces its previous connection.
actor WorkerHub {
    struct Session {
        let connection: UInt64
        let workerId: String
        let capacity: Int
        let labels: Set<String>
        let outbox: AsyncStream<WireMessage>.Continuation
        /// Draining: it takes no new job.
        var draining = false
    }

    private var sessions: [String: Session] = [:]
    private var nextConnection: UInt64 = 0

    /// Registers a connection; returns its token and the session it replaced, if any.
    func register(_ hello: Hello, outbox: AsyncStream<WireMessage>.Continuation, drained: Bool = false) -> (
        UInt64, Session?
    ) {
        nextConnection += 1
        let previous = sessions[hello.workerId]
        sessions[hello.workerId] = Session(
            connection: nextConnection, workerId: hello.workerId, capacity: Int(hello.capacity),
            labels: Set(hello.labels), outbox: outbox, draining: drained)
        return (nextConnection, previous)
    }

    /// Removes whatever connection the worker has, returning it (a reconnect takes over).
    func evict(_ workerId: String) -> Session? {
        sessions.removeValue(forKey: workerId)
    }

    /// Removes every connection, returning them (this coordinator stopped leading).
    func evictAll() -> [Session] {
        defer { sessions = [:] }
        return Array(sessions.values)
    }

    /// Removes a connection; false when a newer connection of the same worker replaced it.
    func unregister(_ workerId: String, connection: UInt64) -> Bool {
        guard sessions[workerId]?.connection == connection else { return false }
        sessions[workerId] = nil
        return true
    }

    /// Queues a message for a worker. False when the worker is not connected.
    @discardableResult
    func send(_ message: WireMessage, to workerId: String) -> Bool {
        guard let s = sessions[workerId] else { return false }
        if case .terminated = s.outbox.yield(message) { return false }
        return true
    }

    func isConnected(_ workerId: String) -> Bool { sessions[workerId] != nil }

    /// The worker said it is draining, or an operator drained (or undrained) it: no more jobs
    /// for this connection while it drains.
    func setDraining(_ workerId: String, _ draining: Bool) { sessions[workerId]?.draining = draining }

    /// Connected workers with their free slots, given how many jobs each holds (draining workers
    /// have none).
    func slots(running: [String: Int]) -> [Scheduler.WorkerSlot] {
        sessions.values.filter { !$0.draining }.map {
            Scheduler.WorkerSlot(
                id: $0.workerId, free: $0.capacity - running[$0.workerId, default: 0], labels: $0.labels)
        }
    }

    var connectedCount: Int { sessions.count }

    var connectedIds: [String] { Array(sessions.keys) }
}
