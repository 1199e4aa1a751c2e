import Synchronization

/// This coordinator's role in the cluster, shared by everything that may act only as the leader:
/// the worker server (standbys redirect workers), the scheduler (standbys do not schedule), the
/// store (every leader write checks the term) and the admin API (standbys redirect). Driven by
/// ``LeaderElection``; a write that finds its term gone steps down at once through ``lost(term:)``.
public final class Leadership: Sendable {
    /// Who leads, as the leader row says.
    public struct Leader: Sendable, Equatable {
        public var term: Int64
        public var holder: String
        public var workerAddress: String
        public var httpURL: String
    }

    public enum Role: Sendable, Equatable {
        /// Not known yet (start-up, or the database unreachable).
        case candidate
        /// The leader under this term.
        case leader(term: Int64)
        /// Another coordinator leads (nil: it is not known who).
        case standby(Leader?)
    }

    /// This process's name in the leader row: unique per start, so a restarted coordinator never
    /// mistakes its predecessor's term for its own.
    public let instanceId: String
    private let state = Mutex<(role: Role, watchers: [AsyncStream<Role>.Continuation])>((.candidate, []))
    private let addresses = Mutex<(worker: String, http: String)>(("", ""))
    private let roundRequest = Mutex<(@Sendable () -> Void)?>(nil)

    public init(instanceId: String) {
        self.instanceId = instanceId
    }

    /// Where workers and the admin API reach this coordinator, as advertised in the leader row
    /// (known once both ports are bound).
    public var advertised: (worker: String, http: String) { addresses.withLock { $0 } }

    func advertise(workerAddress: String, httpURL: String) { addresses.withLock { $0 = (workerAddress, httpURL) } }

    /// Asks the election for a round now (a standby turned a worker away: the leader it named
    /// may just have resigned or died).
    func requestRound() { roundRequest.withLock { $0 }?() }

    func onRoundRequested(_ request: @escaping @Sendable () -> Void) { roundRequest.withLock { $0 = request } }

    public var role: Role { state.withLock { $0.role } }

    /// The term this coordinator leads under, or nil.
    public var term: Int64? {
        if case .leader(let term) = role { return term }
        return nil
    }

    public var isLeader: Bool { term != nil }

    /// The leader's row, when this coordinator is a standby that knows it.
    public var knownLeader: Leader? {
        if case .standby(let leader) = role { return leader }
        return nil
    }

    /// Role changes from now on (the current role first).
    public func changes() -> AsyncStream<Role> {
        let (stream, continuation) = AsyncStream.makeStream(of: Role.self, bufferingPolicy: .bufferingNewest(8))
        state.withLock { s in
            continuation.yield(s.role)
            s.watchers.append(continuation)
        }
        return stream
    }

    func set(_ role: Role) { update { _ in role } }

    /// A leader write found the term `term` superseded: step down now, without waiting for the
    /// election's next round.
    func lost(term: Int64) { update { $0 == .leader(term: term) ? .candidate : nil } }

    /// Replaces the role with `change(role)` (nil: keep it) and tells the watchers.
    private func update(_ change: (Role) -> Role?) {
        // Yielded under the lock, so every watcher sees the changes in order.
        state.withLock { s in
            guard let next = change(s.role), next != s.role else { return }
            s.role = next
            for w in s.watchers { w.yield(next) }
        }
    }

    func finish() {
        let watchers = state.withLock { s in
            defer { s.watchers = [] }
            return s.watchers
        }
        for w in watchers { w.finish() }
    }
}
