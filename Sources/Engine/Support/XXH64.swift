/// XXH64 (xxHash, 64-bit): a fast, well-distributed content hash, several GB/s where SHA-256 in
/// software manages a few hundred MB/s. `xxhsum -H1 FILE` (or Python's `xxhash.xxh64`) gives the
/// same value. The indicator digest pins its bits with it; the reproducibility stamp moved to the
/// faster ``XXH3``.
public enum XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x &<< r) | (x &>> (64 - r)) }

    /// The final mix of every XXH64 value (XXH3 ends its shortest inputs with it too).
    @inline(__always)
    static func avalanche(_ h: UInt64) -> UInt64 {
        var h = h ^ (h >> 33)
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        return h ^ (h >> 32)
    }

    @inline(__always)
    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always)
    static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* p1 &+ p4
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return finish(seed &+ p5, base: nil, from: 0, count: 0) }
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2
            var v2 = seed &+ p2
            var v3 = seed
            var v4 = seed &- p1
            while i + 32 <= n {
                v1 = round(v1, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(n)
        return finish(h, base: base, from: i, count: n)
    }

    static func finish(_ start: UInt64, base: UnsafeRawPointer?, from: Int, count n: Int) -> UInt64 {
        var h = start
        var i = from
        if let base {
            while i + 8 <= n {
                let k = round(0, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                h = rotl(h ^ k, 27) &* p1 &+ p4
                i += 8
            }
            if i + 4 <= n {
                h ^= UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* p1
                h = rotl(h, 23) &* p2 &+ p3
                i += 4
            }
            while i < n {
                h ^= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &* p5
                h = rotl(h, 11) &* p1
                i += 1
            }
        }
        return avalanche(h)
    }

    /// Hex digest of some bytes, 16 digits.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        HashHex.digest(bytes) { hash($0) }
    }
}
