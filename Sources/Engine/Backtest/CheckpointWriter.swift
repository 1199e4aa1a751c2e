import Foundation

/// Writes a checkpoint's JSON straight into bytes, exactly as ``CheckpointCoding/encoder()`` would:
/// no whitespace, keys in the order the encoder sorts them, integers and doubles in Swift's
/// `description` (a whole double without its `.0`), non-finite doubles as the strings `inf`,
/// `-inf` and `nan`, strings escaped as Foundation escapes them (`/` too).
///
/// Foundation's encoder builds a tree of every value before writing it: a paper job's 64 finished
/// orders (the default history; the built-ins now keep none) took ~440 µs of its ~510 µs
/// checkpoint. The types a checkpoint holds most of (orders,
/// the exchange's state) write themselves through this; anything else goes through
/// ``encodable(_:)`` — Foundation's encoder, its bytes copied in — so a strategy's or a custom
/// module's state needs nothing. The bytes are the same either way (tested byte for byte against
/// the encoder), so no reader, old or new, can tell: a checkpoint's form is unchanged.
struct CheckpointWriter {
    private(set) var bytes: [UInt8]
    /// Foundation's encoder, for what has no writer of its own; made once per checkpoint.
    private let fallback: JSONEncoder

    init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
        fallback = CheckpointCoding.encoder()
    }

    /// Punctuation and keys, as written: `{"key":`, `,"key":`, `}`.
    @inline(__always)
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `key` and the value when there is one, nothing otherwise (Foundation's `encodeIfPresent`).
    mutating func optional(_ key: StaticString, _ value: Double?) {
        guard let value else { return }
        raw(key)
        double(value)
    }

    mutating func optional(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        raw(key)
        int(value)
    }

    mutating func bool(_ value: Bool) {
        raw(value ? "true" : "false")
    }

    mutating func int(_ value: Int) { int(Int64(value)) }

    mutating func int(_ value: Int64) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        // Digits backwards into a small buffer; the magnitude as UInt64 covers Int64.min.
        var magnitude = UInt64(value.magnitude)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: 20 digits and a sign fit
        withUnsafeMutableBytes(of: &digits) { buffer in
            var at = buffer.count
            while magnitude > 0 {
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if value < 0 {
                at -= 1
                buffer[at] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: buffer[at...])
        }
    }

    mutating func double(_ value: Double) {
        guard value.isFinite else {
            raw(value.isNaN ? "\"nan\"" : value > 0 ? "\"inf\"" : "\"-inf\"")
            return
        }
        var text = value.description
        text.withUTF8 { utf8 in
            let whole = utf8.count >= 2 && utf8[utf8.count - 2] == UInt8(ascii: ".") && utf8.last == UInt8(ascii: "0")
            bytes.append(contentsOf: whole ? UnsafeBufferPointer(rebasing: utf8.dropLast(2)) : utf8)
        }
    }

    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case UInt8(ascii: "/"): raw("\\/")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                case UInt8(ascii: "\n"): raw("\\n")
                case UInt8(ascii: "\r"): raw("\\r")
                case UInt8(ascii: "\t"): raw("\\t")
                case 0..<0x20:
                    raw("\\u00")
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Anything through Foundation's encoder (with the checkpoint's settings), its bytes copied in.
    /// Encoded as a field of an object, as it would be inside the checkpoint: Foundation treats a
    /// value at the top level differently (one that encodes nothing throws there, and is `{}` as
    /// a field).
    mutating func encodable<T: Encodable>(_ value: T) throws {
        let field = try fallback.encode(Field(value: value))  // {"value":…}
        let prefix = 9  // {"value":
        bytes.append(contentsOf: field[(field.startIndex + prefix)..<(field.endIndex - 1)])
    }

    private struct Field<T: Encodable>: Encodable {
        let value: T
    }

    /// `[a,b,…]`, each element written by `element`.
    mutating func array<C: Collection>(_ items: C, _ element: (inout CheckpointWriter, C.Element) throws -> Void)
        rethrows
    {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            try element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
