/// Hand-built frames for peers that are not our worker.
struct ByteFrame {
    var bytes: [UInt8] = []

    mutating func hello(version: UInt32, token: String) {
        var body: [UInt8] = []
        func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 {
                body.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            body.append(UInt8(v))
        }
        func string(_ field: UInt64, _ s: String) {
            varint(field << 3 | 2)
            varint(UInt64(s.utf8.count))
            body += Array(s.utf8)
        }
        varint(1 << 3)
        varint(UInt64(version))
        string(2, "hand-made")
        varint(4 << 3)
        varint(1)
        string(6, token)
        let length = UInt32(body.count + 1)
        bytes =
            [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), 1] + body
    }
}
