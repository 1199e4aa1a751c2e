import Synchronization

/// A value behind a lock, shareable between tasks: how a driver holds a pure state machine that
/// several tasks feed events to (each `withLock` is one transition; actions run outside it).
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
