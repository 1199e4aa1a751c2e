import Synchronization

/// A refusal's text, named by its place among the process's most recent refusals, so the
/// ``RejectReason`` that carries it, and the ``Order`` that carries the reason, stay small plain
/// memory: a `String` inside made every copy of an order a value-witness call on the backtest's
/// order path (5% of a sweep over a million bars), and the text held inline (128 bytes) made every
/// order copy longer (8–13% of a backtest that trades; docs/BENCHMARKS.md).
///
/// The last ``kept`` texts are kept, whatever they say (each refusal carries its own figures, so
/// texts are not shared); an older one reads as a note that it is gone — the worker's log keeps
/// every refusal whole. Encoded as its text, as the `String` was, so checkpoints written before
/// still load; two reasons are equal when their texts are.
public struct ReasonText: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Its slot among the kept texts, and which text of that slot it is.
    let slot: UInt32
    let serial: UInt32

    /// Texts a process keeps: the most recent refusals.
    public static let kept = 4096

    /// What a text no longer kept reads as.
    public static let gone = "(text no longer kept: later refusals replaced it; the worker's log has it)"

    private struct Kept {
        var texts: [(serial: UInt32, text: String)] = []
        var made: UInt64 = 0
    }

    private static let recent = Mutex(Kept())

    public init(_ text: String) {
        (slot, serial) = Self.recent.withLock { kept in
            let slot = Int(kept.made % UInt64(Self.kept))
            let serial = UInt32(truncatingIfNeeded: kept.made / UInt64(Self.kept))
            kept.made += 1
            if slot == kept.texts.count {
                kept.texts.append((serial, text))
            } else {
                kept.texts[slot] = (serial, text)
            }
            return (UInt32(slot), serial)
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String {
        Self.recent.withLock { kept in
            let i = Int(slot)
            return i < kept.texts.count && kept.texts[i].serial == serial ? kept.texts[i].text : Self.gone
        }
    }

    public static func == (a: ReasonText, b: ReasonText) -> Bool {
        (a.slot == b.slot && a.serial == b.serial) || a.description == b.description
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
