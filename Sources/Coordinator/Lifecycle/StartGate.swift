import Synchronization

/// Opens once (the database is migrated); every part of the coordinator that needs it waits.
final class StartGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [UInt64: CheckedContinuation<Void, Never>], next: UInt64)>(
        (false, [:], 0))

    func open() {
        let waiting = state.withLock { s in
            s.open = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiting { w.resume() }
    }

    /// Returns once the gate is open, or at once when the task is cancelled.
    func wait() async {
        let id = state.withLock { s in
            s.next += 1
            return s.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if s.open || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
