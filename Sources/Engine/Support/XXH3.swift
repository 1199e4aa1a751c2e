/// XXH3-64 (xxHash 0.8, seed 0, default secret): the reproducibility stamp's content hash.
/// `xxhsum -H3 FILE` (or Python's `xxhash.xxh3_64_hexdigest`) gives the same value.
///
/// It replaced ``XXH64`` for the stamp because it runs at memory speed: XXH64's four multiply
/// chains manage about 5 GB/s here, so hashing a 64 MB catalog took as long as the backtest it
/// stamps. XXH3 accumulates a 64-byte stripe in eight independent lanes, two SIMD registers,
/// with one 32 × 32-bit multiply per lane.
public enum XXH3 {
    static let prime32_1: UInt64 = 0x9E37_79B1
    static let prime32_2: UInt64 = 0x85EB_CA77
    static let prime32_3: UInt64 = 0xC2B2_AE3D
    // The 64-bit primes, the rotation and the shortest inputs' final mix are XXH64's.
    static var prime64_1: UInt64 { XXH64.p1 }
    static var prime64_2: UInt64 { XXH64.p2 }
    static var prime64_3: UInt64 { XXH64.p3 }
    static var prime64_4: UInt64 { XXH64.p4 }
    static var prime64_5: UInt64 { XXH64.p5 }
    static let primeMX1: UInt64 = 0x1656_6791_9E37_79F9
    static let primeMX2: UInt64 = 0x9FB2_1C65_1E98_DF25

    /// The specification's default secret (`kSecret`), 192 bytes.
    static let secret: [UInt8] = [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ]

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        secret.withUnsafeBytes { key in
            let s = key.baseAddress!
            let n = bytes.count
            guard let p = bytes.baseAddress, n > 0 else {
                return XXH64.avalanche(read64(s, 56) ^ read64(s, 64))
            }
            switch n {
            case 1...3: return short1to3(p, n, s)
            case 4...8: return short4to8(p, n, s)
            case 9...16: return short9to16(p, n, s)
            case 17...128: return medium17to128(p, n, s)
            case 129...240: return medium129to240(p, n, s)
            default: return long(p, n, s)
            }
        }
    }

    /// Hex digest of some bytes, 16 digits.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        HashHex.digest(bytes) { hash($0) }
    }

    // MARK: Inputs of at most 240 bytes

    private static func short1to3(_ p: UnsafeRawPointer, _ n: Int, _ s: UnsafeRawPointer) -> UInt64 {
        let c1 = UInt32(p.load(fromByteOffset: 0, as: UInt8.self))
        let c2 = UInt32(p.load(fromByteOffset: n >> 1, as: UInt8.self))
        let c3 = UInt32(p.load(fromByteOffset: n - 1, as: UInt8.self))
        let combined = (c1 << 16) | (c2 << 24) | c3 | (UInt32(n) << 8)
        let flip = UInt64(read32(s, 0) ^ read32(s, 4))
        return XXH64.avalanche(UInt64(combined) ^ flip)
    }

    private static func short4to8(_ p: UnsafeRawPointer, _ n: Int, _ s: UnsafeRawPointer) -> UInt64 {
        let low = UInt64(read32(p, 0))
        let high = UInt64(read32(p, n - 4))
        let flip = read64(s, 8) ^ read64(s, 16)
        var h = (high &+ (low << 32)) ^ flip
        h ^= XXH64.rotl(h, 49) ^ XXH64.rotl(h, 24)
        h = h &* primeMX2
        h ^= (h >> 35) &+ UInt64(n)
        h = h &* primeMX2
        return h ^ (h >> 28)
    }

    private static func short9to16(_ p: UnsafeRawPointer, _ n: Int, _ s: UnsafeRawPointer) -> UInt64 {
        let low = read64(p, 0) ^ (read64(s, 24) ^ read64(s, 32))
        let high = read64(p, n - 8) ^ (read64(s, 40) ^ read64(s, 48))
        let acc = UInt64(n) &+ low.byteSwapped &+ high &+ fold(low, high)
        return avalanche(acc)
    }

    private static func medium17to128(_ p: UnsafeRawPointer, _ n: Int, _ s: UnsafeRawPointer) -> UInt64 {
        var acc = UInt64(n) &* prime64_1
        if n > 32 {
            if n > 64 {
                if n > 96 {
                    acc &+= mix16(p + 48, s + 96) &+ mix16(p + n - 64, s + 112)
                }
                acc &+= mix16(p + 32, s + 64) &+ mix16(p + n - 48, s + 80)
            }
            acc &+= mix16(p + 16, s + 32) &+ mix16(p + n - 32, s + 48)
        }
        acc &+= mix16(p, s) &+ mix16(p + n - 16, s + 16)
        return avalanche(acc)
    }

    private static func medium129to240(_ p: UnsafeRawPointer, _ n: Int, _ s: UnsafeRawPointer) -> UInt64 {
        var acc = UInt64(n) &* prime64_1
        for i in 0..<8 { acc &+= mix16(p + 16 * i, s + 16 * i) }
        acc = avalanche(acc)
        // The rounds past the eighth read the secret from byte 3; the last 16 bytes from byte
        // 136 − 17 (136 is the smallest secret the specification allows, not this one's size).
        for i in 8..<(n / 16) { acc &+= mix16(p + 16 * i, s + 16 * (i - 8) + 3) }
        acc &+= mix16(p + n - 16, s + 136 - 17)
        return avalanche(acc)
    }

    // MARK: Longer inputs

    /// Eight 64-bit accumulators as two SIMD registers: lanes 0–3 and 4–7.
    private struct Accumulators {
        var low: SIMD4<UInt64>
        var high: SIMD4<UInt64>

        /// Folds in one 64-byte stripe with the secret at `key`.
        @inline(__always)
        mutating func accumulate(_ stripe: UnsafeRawPointer, _ key: UnsafeRawPointer) {
            let d0 = stripe.loadUnaligned(as: SIMD4<UInt64>.self)
            let d1 = stripe.loadUnaligned(fromByteOffset: 32, as: SIMD4<UInt64>.self)
            let k0 = d0 ^ key.loadUnaligned(as: SIMD4<UInt64>.self)
            let k1 = d1 ^ key.loadUnaligned(fromByteOffset: 32, as: SIMD4<UInt64>.self)
            let mask = SIMD4<UInt64>(repeating: 0xFFFF_FFFF)
            // Lane i gains the product of its keyed value's halves; lane i ^ 1 gains the raw value.
            low &+= (k0 & mask) &* (k0 &>> 32) &+ SIMD4(d0[1], d0[0], d0[3], d0[2])
            high &+= (k1 & mask) &* (k1 &>> 32) &+ SIMD4(d1[1], d1[0], d1[3], d1[2])
        }

        @inline(__always)
        mutating func scramble(_ key: UnsafeRawPointer) {
            let prime = SIMD4<UInt64>(repeating: XXH3.prime32_1)
            low = (low ^ (low &>> 47) ^ key.loadUnaligned(as: SIMD4<UInt64>.self)) &* prime
            high = (high ^ (high &>> 47) ^ key.loadUnaligned(fromByteOffset: 32, as: SIMD4<UInt64>.self)) &* prime
        }

        func lane(_ i: Int) -> UInt64 { i < 4 ? low[i] : high[i - 4] }
    }

    private static func long(_ p: UnsafeRawPointer, _ n: Int, _ s: UnsafeRawPointer) -> UInt64 {
        LongState().digest(p, n, s)
    }

    /// A block is 16 stripes (the secret's 192 bytes less 64, by 8), each keyed 8 bytes further
    /// into the secret; its end scrambles. Literals: laid out at compile time, no lazy start.
    static let stripesPerBlock = 16
    static let blockLength = 1024

    /// The long hash part way through `n` bytes: its accumulators and how many of the whole blocks
    /// before the last stripes (`(n − 1) / 1024` of them) are folded in.
    private struct LongState {
        var acc = Accumulators(
            low: SIMD4(prime32_3, prime64_1, prime64_2, prime64_3),
            high: SIMD4(prime64_4, prime32_2, prime64_5, prime32_1))
        var blocks = 0

        /// Folds in the blocks not yet folded that end at or before `end`.
        mutating func foldBlocks(_ p: UnsafeRawPointer, _ n: Int, below end: Int, _ s: UnsafeRawPointer) {
            let upTo = min((n - 1) / blockLength, end / blockLength)
            while blocks < upTo {
                let block = p + blocks * blockLength
                for k in 0..<stripesPerBlock { acc.accumulate(block + 64 * k, s + 8 * k) }
                acc.scramble(s + secret.count - 64)
                blocks += 1
            }
        }

        /// The hash: the blocks not yet folded, the last block's stripes, the last stripe, the merge.
        func digest(_ p: UnsafeRawPointer, _ n: Int, _ s: UnsafeRawPointer) -> UInt64 {
            var rest = self
            rest.foldBlocks(p, n, below: n, s)
            var acc = rest.acc
            let blocks = rest.blocks
            let lastBlock = p + blocks * blockLength
            let stripes = ((n - 1) - blocks * blockLength) / 64
            for k in 0..<stripes { acc.accumulate(lastBlock + 64 * k, s + 8 * k) }
            acc.accumulate(p + n - 64, s + secret.count - 64 - 7)
            // Merge: four pairs of lanes, each keyed by 16 bytes of the secret from byte 11.
            var h = UInt64(n) &* prime64_1
            for i in 0..<4 {
                h &+= fold(acc.lane(2 * i) ^ read64(s, 11 + 16 * i), acc.lane(2 * i + 1) ^ read64(s, 11 + 16 * i + 8))
            }
            return avalanche(h)
        }
    }

    /// ``hash(_:)`` of bytes that are all in memory but read in order by something else first (a
    /// parse): each ``advance(_:to:)`` folds in the whole blocks below an offset while they are
    /// still in the cache, and ``digest(_:)`` the rest. The same value as ``hash(_:)``, however
    /// it was advanced; every call must be given the same bytes.
    public struct Progressive: Sendable {
        private var state = LongState()

        public init() {}

        /// Folds in the bytes below `offset` that can be (whole 1,024-byte blocks).
        public mutating func advance(_ bytes: UnsafeRawBufferPointer, to offset: Int) {
            guard bytes.count > 240, let p = bytes.baseAddress else { return }
            secret.withUnsafeBytes { state.foldBlocks(p, bytes.count, below: offset, $0.baseAddress!) }
        }

        /// The hash of `bytes`.
        public func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            guard bytes.count > 240, let p = bytes.baseAddress else { return hash(bytes) }
            return secret.withUnsafeBytes { state.digest(p, bytes.count, $0.baseAddress!) }
        }
    }

    // MARK: Pieces

    @inline(__always)
    private static func read64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func read32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The 128-bit product of `a` and `b`, its halves xor-ed together.
    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return high ^ low
    }

    @inline(__always)
    private static func mix16(_ p: UnsafeRawPointer, _ s: UnsafeRawPointer) -> UInt64 {
        fold(read64(p, 0) ^ read64(s, 0), read64(p, 8) ^ read64(s, 8))
    }

    @inline(__always)
    private static func avalanche(_ h: UInt64) -> UInt64 {
        var h = h ^ (h >> 37)
        h = h &* primeMX1
        return h ^ (h >> 32)
    }
}
