#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A dedicated thread for a share of some work, which may not be had: where the system refuses a
/// thread (its limit reached, no memory for a stack), ``start(_:)`` says so, and the caller does
/// that share itself instead of waiting for a thread that never ran (Foundation's
/// `Thread.detachNewThread` gives no such answer: a caller waiting on it would wait for ever).
enum DetachedThread {
    /// Runs `body` on a new thread; false when no thread could be started (`body` never runs).
    static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        if refused { return false }
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Glibc)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let result = pthread_create(
            &thread, nil,
            { context in
                #if canImport(Glibc)
                    let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                #else
                    let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
                #endif
                body.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return false
        }
        #if canImport(Glibc)
            pthread_detach(thread)
        #else
            if let thread { pthread_detach(thread) }
        #endif
        return true
    }

    /// Tests refuse threads within a task to check the work still gets done, by the caller alone.
    @TaskLocal static var refused = false

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
