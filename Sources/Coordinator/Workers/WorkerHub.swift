import ATSShared
import Foundation

/// The connected workers: what each can run, and the way to send it a message. One connection per
/// worker id: a reconnect of the same process (same hello `instance`) replaces its previous
/// connection, another process under that id is refused while the first is connected. A
/// connection is claimed at its hello and opened once its worker is reconciled and welcomed: only
/// then does it take messages or jobs, so `Welcome` is always its first frame.
actor WorkerHub {
    struct Session {
        let connection: UInt64
        /// Unique per connection, across coordinators: assignments are bound to it
        /// (``JobStore/assign(job:to:session:capacity:)``).
        let sessionId: String
        let workerId: String
        let instance: String
        let host: String
        let capacity: Int
        let labels: Set<String>
        let outbox: AsyncStream<WireMessage>.Continuation
        /// Whether the connection runs TLS or comes from this machine: only then may a live job's
        /// credential cross it.
        let secure: Bool
        /// Reconciled and welcomed: takes messages and jobs.
        var open = false
        /// Draining: it takes no new job.
        var draining = false
    }

    enum Claim {
        /// The connection is this worker's now (closing the one it replaced, if any).
        case claimed(connection: UInt64, sessionId: String, replaced: Session?)
        /// Another process is connected under this worker id.
        case duplicate(host: String)
    }

    private var sessions: [String: Session] = [:]
    private var nextConnection: UInt64 = 0

    /// Claims the worker id for a connection whose hello passed; not yet open.
    func claim(_ hello: Hello, outbox: AsyncStream<WireMessage>.Continuation, secure: Bool = false) -> Claim {
        let previous = sessions[hello.workerId]
        if let previous, previous.instance != hello.instance {
            return .duplicate(host: previous.host)
        }
        nextConnection += 1
        let sessionId = UUID().uuidString
        sessions[hello.workerId] = Session(
            connection: nextConnection, sessionId: sessionId, workerId: hello.workerId, instance: hello.instance,
            host: hello.host, capacity: Int(hello.capacity),
            labels: Set(hello.labels + hello.capabilities.map(WorkerCapability.label)), outbox: outbox,
            secure: secure)
        return .claimed(connection: nextConnection, sessionId: sessionId, replaced: previous)
    }

    /// The connection was reconciled and welcomed: it takes messages and jobs from now on.
    func open(_ workerId: String, connection: UInt64, draining: Bool) {
        guard sessions[workerId]?.connection == connection else { return }
        sessions[workerId]?.open = true
        sessions[workerId]?.draining = draining
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

    /// Queues a message for a worker's open connection (`session`: only that one). False when it
    /// has none, or another.
    @discardableResult
    func send(_ message: WireMessage, to workerId: String, session: String? = nil) -> Bool {
        guard let s = sessions[workerId], s.open, session.map({ $0 == s.sessionId }) ?? true else { return false }
        if case .terminated = s.outbox.yield(message) { return false }
        return true
    }

    /// Whether the worker's connection may carry a live job's credential.
    func isSecure(_ workerId: String) -> Bool { sessions[workerId]?.secure ?? false }

    /// Whether the worker connected under this id announced `capability` (``WorkerCapability``).
    func has(_ workerId: String, capability: String) -> Bool {
        sessions[workerId]?.labels.contains(WorkerCapability.label(capability)) ?? false
    }

    /// Whether the worker has a connection (open or being welcomed).
    func isConnected(_ workerId: String) -> Bool { sessions[workerId] != nil }

    /// The worker said it is draining, or an operator drained (or undrained) it: no more jobs
    /// for this connection while it drains.
    func setDraining(_ workerId: String, _ draining: Bool) { sessions[workerId]?.draining = draining }

    /// Open, undrained connections: their free slots (given how many jobs, and of them a sweep's
    /// chunks, each holds), session and capacity.
    func slots(held: [String: (jobs: Int, chunks: Int)]) -> [SchedulingPass.OpenWorker] {
        let ahead = WorkerCapability.label(WorkerCapability.chunksAhead)
        return sessions.values.filter { $0.open && !$0.draining }.map {
            let h = held[$0.workerId] ?? (0, 0)
            return SchedulingPass.OpenWorker(
                slot: Scheduler.WorkerSlot(
                    id: $0.workerId,
                    load: WorkerLoad(
                        capacity: $0.capacity, ahead: $0.labels.contains(ahead), jobs: h.jobs, chunks: h.chunks),
                    labels: $0.labels),
                sessionId: $0.sessionId, capacity: $0.capacity)
        }
    }

    var connectedCount: Int { sessions.count }

    var connectedIds: [String] { Array(sessions.keys) }
}
