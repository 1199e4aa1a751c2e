/// A short UTF-8 string kept inline, up to ``capacity`` bytes: order tags and asset codes.
///
/// Unlike `String` it is trivially copyable, so an ``Order``, a ``Fill`` or an ``OrderRequest``
/// that carries one is plain memory: copying it is a move of bytes, with no reference counting
/// and no value-witness call on the backtest's order path (docs/BENCHMARKS.md has what it saved).
/// A longer string keeps its first bytes (whole characters) and says so in ``isTruncated``; the
/// exchange rejects an order whose tag was cut (``RejectReason/tagTooLong``), so no tag is ever
/// shortened silently. Encoded as a plain string.
public struct InlineString: Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// Bytes of UTF-8 it holds.
    public static let capacity = 31

    /// Bytes 0..<31 hold the text, byte 31 its length, with the high bit set when it was cut.
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    public init(_ text: some StringProtocol) { self.init(utf8: text.utf8) }

    /// From a literal: no allocation, so a strategy's `tag: "long"` costs a copy of a few bytes.
    public init(stringLiteral value: StaticString) {
        if value.hasPointerRepresentation {
            self.init(utf8: UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        } else {
            self.init(value.description)
        }
    }

    init(utf8 bytes: some Sequence<UInt8>) {
        withUnsafeMutableBytes(of: &words) { raw in
            var n = 0
            var truncated = false
            var next: UInt8 = 0
            for b in bytes {
                if n == Self.capacity {
                    truncated = true
                    next = b
                    break
                }
                raw[n] = b
                n += 1
            }
            if truncated && next & 0xC0 == 0x80 {
                // The cut falls inside a character: drop the character's first bytes too.
                while n > 0 {
                    n -= 1
                    let byte = raw[n]
                    raw[n] = 0
                    if byte & 0xC0 != 0x80 { break }
                }
            }
            raw[Self.capacity] = UInt8(n) | (truncated ? 0x80 : 0)
        }
    }

    /// Bytes of UTF-8 held.
    public var utf8Count: Int { Int(lengthByte & 0x7F) }

    public var isEmpty: Bool { utf8Count == 0 }

    /// Whether the string it was made from was longer than ``capacity`` bytes.
    public var isTruncated: Bool { lengthByte & 0x80 != 0 }

    public var description: String {
        withUnsafeBytes(of: words) { raw in String(decoding: raw.prefix(utf8Count), as: UTF8.self) }
    }

    private var lengthByte: UInt8 { withUnsafeBytes(of: words) { $0[Self.capacity] } }

    public static func == (a: InlineString, b: InlineString) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
