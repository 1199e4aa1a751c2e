import Foundation

/// Results computed on every core, one per index, returned in index order: each index is
/// computed and written by one thread alone, and the results are read only after every thread
/// has finished (so the slots need no lock).
public enum ParallelMap {
    /// `body(i)` for every `i` in `0..<count`, on up to `workers` threads (each a stride of the
    /// indices) with one `scratch` value each, which `body` may use as working space.
    public static func map<T, Scratch>(
        _ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        scratch: @Sendable () -> Scratch, _ body: @Sendable (Int, inout Scratch) -> T
    ) -> [T] {
        guard count > 0 else { return [] }
        let slots = Slots<T>(count: count)
        defer { slots.free() }
        let threads = max(1, min(workers, count))
        DispatchQueue.concurrentPerform(iterations: threads) { w in
            var space = scratch()
            for i in stride(from: w, to: count, by: threads) { slots.buffer[i] = body(i, &space) }
        }
        return slots.buffer.map { $0! }
    }

    /// `body(i)` for every `i` in `0..<count`, one index per task.
    public static func map<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let slots = Slots<T>(count: count)
        defer { slots.free() }
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.buffer[i] = body(i) }
        return slots.buffer.map { $0! }
    }

    /// The result slots the threads share.
    private struct Slots<T>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<T?>

        init(count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: nil)
        }

        func free() {
            _ = buffer.deinitialize()
            buffer.deallocate()
        }
    }
}
