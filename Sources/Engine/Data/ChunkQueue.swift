import Dispatch
import Synchronization

/// The chunks of a file, handed out in order to the threads that parse them, and which of them
/// are done: a thread that finishes a chunk says so here (after writing its outcome and rows, so
/// whoever sees the chunk done sees them too).
final class ChunkQueue: Sendable {
    private struct State {
        var next = 0
        var done: [Bool]
        var finished = 0
    }

    let count: Int
    private let state: Mutex<State>
    private let finishes = DispatchSemaphore(value: 0)

    init(count: Int) {
        self.count = count
        state = Mutex(State(done: [Bool](repeating: false, count: count)))
    }

    /// The next chunk no thread has taken, or nil when all are taken.
    func claim() -> Int? {
        state.withLock { s in
            guard s.next < count else { return nil }
            defer { s.next += 1 }
            return s.next
        }
    }

    func finish(_ k: Int) {
        state.withLock { s in
            s.done[k] = true
            s.finished += 1
        }
        finishes.signal()
    }

    func isDone(_ k: Int) -> Bool { state.withLock { $0.done[k] } }

    var allDone: Bool { state.withLock { $0.finished == count } }

    /// Waits until a chunk is finished (or returns at once for a finish not waited for before:
    /// callers look again at what is done, and wait again only while a chunk is still parsing).
    func waitForAFinish() { finishes.wait() }
}
