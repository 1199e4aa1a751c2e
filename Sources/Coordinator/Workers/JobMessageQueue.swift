import ATSShared
import Synchronization

/// A connection's job messages read and not yet persisted, in order. The reader pushes as frames
/// arrive; the persister takes whatever has gathered as one batch (one transaction, one ack), so
/// the more a worker sends at once, the fewer commits it costs.
final class JobMessageQueue: Sendable {
    private let items = Mutex<[WireMessage]>([])
    private let signal: AsyncStream<Void>
    private let poke: AsyncStream<Void>.Continuation

    init() {
        (signal, poke) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds a message; returns how many wait now.
    func push(_ message: WireMessage) -> Int {
        let count = items.withLock {
            $0.append(message)
            return $0.count
        }
        poke.yield()
        return count
    }

    /// No more messages: ``batches(limit:fills:_:)`` returns once the rest is handled.
    func finish() { poke.finish() }

    /// Hands `body` every batch as it gathers: at most `limit` messages, and no more messages once
    /// `fills` fills are in (the first always goes). One consumer.
    func batches(limit: Int, fills: Int, _ body: ([WireMessage]) async throws -> Void) async throws {
        for await _ in signal {
            while true {
                let batch = items.withLock { queue -> [WireMessage] in
                    var n = 0
                    var fillCount = 0
                    while n < min(limit, queue.count) {
                        if case .fills(let f) = queue[n] {
                            if n > 0 && fillCount + f.fills.count > fills { break }
                            fillCount += f.fills.count
                        }
                        n += 1
                    }
                    defer { queue.removeFirst(n) }
                    return Array(queue.prefix(n))
                }
                if batch.isEmpty { break }
                try await body(batch)
            }
        }
    }
}
