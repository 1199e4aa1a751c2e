import Synchronization

/// A refusal's text, kept once per process and named by its number, so the ``RejectReason`` that
/// carries it, and the ``Order`` that carries the reason, stay plain memory: a `String` inside made
/// every copy of an order a value-witness call on the backtest's order path (5% of a sweep over
/// a million bars; docs/BENCHMARKS.md). Encoded as the text itself, as a `String` was.
///
/// Texts are few (a job's risk limits and gates); past ``limit`` distinct ones in a process, a new
/// text reads as a fixed note (the worker's log keeps each refusal's full text).
public struct ReasonText: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    let id: UInt32

    /// Distinct texts a process keeps.
    public static let limit = 65_536

    static let overflow = "(not kept: more distinct refusal texts than this process keeps; see the log)"

    private static let table = Mutex<(texts: [String], ids: [String: UInt32])>(([overflow], [overflow: 0]))

    public init(_ text: String) {
        id = Self.table.withLock { table in
            if let id = table.ids[text] { return id }
            guard table.texts.count < Self.limit else { return 0 }
            let id = UInt32(table.texts.count)
            table.texts.append(text)
            table.ids[text] = id
            return id
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { Self.table.withLock { $0.texts[Int(id)] } }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
