/// The bytes a MAC authenticates when it covers several values: each value prefixed by its length
/// as a big-endian u32, so no two different lists of values give the same bytes (the handshake's
/// proofs, a worker's signed requests, a data set's content MACs).
enum LengthPrefixed {
    static func join(_ fields: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + 4 + $1.count })
        for field in fields {
            out += bigEndian(UInt32(field.count))
            out += field
        }
        return out
    }

    static func join(_ fields: [String]) -> [UInt8] { join(fields.map { Array($0.utf8) }) }

    static func bigEndian(_ n: UInt32) -> [UInt8] {
        [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
    }
}
