import Foundation
import Logging
import Synchronization

/// The most recent log lines of this process, numbered, for the dashboard's log view (the
/// seed's `/logs`). A ring of fixed size: old lines fall out, memory stays bounded.
public final class LogBuffer: Sendable {
    public let capacity: Int
    private let state: Mutex<(lines: [LogLine], next: Int64)>

    public init(capacity: Int = 2_000) {
        self.capacity = capacity
        state = Mutex(([], 0))
    }

    func append(level: Logger.Level, label: String, message: String, metadata: [String: String]) {
        state.withLock { s in
            s.lines.append(
                LogLine(
                    seq: s.next, at: Date(), level: level.rawValue, label: label, message: message, metadata: metadata))
            s.next += 1
            if s.lines.count > capacity { s.lines.removeFirst(s.lines.count - capacity) }
        }
    }

    /// Lines numbered above `after` (all kept ones when nil), at most `limit`, oldest first.
    public func lines(after: Int64? = nil, limit: Int = 500) -> [LogLine] {
        state.withLock { s in
            let from = after.map { a in s.lines.firstIndex { $0.seq > a } ?? s.lines.count } ?? 0
            return Array(s.lines[from...].prefix(limit))
        }
    }

    /// The number the next line will get.
    public var nextSeq: Int64 { state.withLock { $0.next } }
}
