/// How the content hashes (``XXH64``, ``XXH3``) print: 16 lowercase hex digits of a hash taken over
/// any collection of bytes (contiguous ones hashed in place).
enum HashHex {
    static func digest<C: Collection>(_ bytes: C, _ hash: (UnsafeRawBufferPointer) -> UInt64) -> String
    where C.Element == UInt8 {
        let value =
            bytes.withContiguousStorageIfAvailable { hash(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { hash($0) }
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
