import ATSEngine
import Foundation
import Testing

/// ``XXH3`` against the reference implementation, one length from each of its paths and both sides
/// of every boundary (stripe, block, the 16/128/240-byte classes). Expected values from Python's
/// `xxhash` 4.1 (xxHash 0.8.4):
///
///     import xxhash
///     xxhash.xxh3_64_hexdigest(bytes((i * 7 + 3) % 256 for i in range(n)))
struct XXH3Tests {
    static let reference: [(Int, String)] = [
        (0, "2d06800538d394c2"), (1, "13e608bc156defed"), (2, "1c9074b93943b86c"), (3, "a9088dda485b481c"),
        (4, "6d9253b16c8b1ed3"), (5, "998620e10e3a4b37"), (8, "60539db630471163"), (9, "feff668361d723a8"),
        (15, "9ec169f4a98231c1"), (16, "b8c859b0f030b585"), (17, "714a04408e79b80f"), (31, "ed41ac283d0674b3"),
        (32, "19ff4ee1d6ba1a55"), (33, "3e44983ad21679c8"), (64, "287eb1fa9e4be2c1"), (65, "829218de4d798646"),
        (96, "f084e7cfbc624743"), (97, "1daa83271a8e7b7c"), (127, "998fa0631fd78d0b"), (128, "67425a03650261bf"),
        (129, "c664bf3311c6abc4"), (130, "a620cbbc569eeeab"), (143, "8b313780705af3a7"), (144, "606a17fa700bb932"),
        (239, "1d861931c1f3cafa"), (240, "64556dc6b462a6cf"), (241, "8beadd3a8874fe17"), (255, "b67b6637a76e6c39"),
        (256, "3c38817f6d79c0da"), (1023, "d26986a0b85dcc44"), (1024, "9b81661c641c72b1"),
        (1025, "806c2072ed713576"), (1087, "0d058f8dbd85227e"), (1088, "2f8781e01841f0da"),
        (2047, "e36fcecaa2c0ecba"), (2048, "abe604813ba62ed1"), (2049, "55aed42c9f1554b6"),
        (100_000, "0c056f6fcc340974"),
    ]

    @Test(arguments: reference)
    func matchesTheReferenceImplementation(_ length: Int, _ expected: String) {
        let bytes = (0..<length).map { UInt8(($0 * 7 + 3) % 256) }
        #expect(XXH3.hex(bytes) == expected)
    }

    @Test(arguments: reference)
    func advancedPartWayItGivesTheSameHash(_ length: Int, _ expected: String) {
        // Advanced in steps that land on, before and after block bounds (and past the end, and
        // back), the hash finished from any of them is the reference's.
        let bytes = (0..<length).map { UInt8(($0 * 7 + 3) % 256) }
        bytes.withUnsafeBytes { raw in
            for steps in [
                [], [0], [length], [1023, 1024, 1025], [1, 2048, 2047, 5000, length + 10], [length - 1, length],
            ] {
                var hash = XXH3.Progressive()
                for offset in steps { hash.advance(raw, to: offset) }
                #expect(hash.digest(raw) == XXH3.hash(raw), "\(steps)")
                #expect(ReproducibilityStamp.hash(hash, of: Data(bytes)) == "xxh3:" + expected, "\(steps)")
            }
            var hash = XXH3.Progressive()
            for offset in stride(from: 0, through: length, by: 333) { hash.advance(raw, to: offset) }
            #expect(hash.digest(raw) == XXH3.hash(raw))
        }
    }

    @Test func aNonContiguousCollectionHashesAsItsBytes() {
        let bytes = (0..<300).map { UInt8(($0 * 7 + 3) % 256) }
        #expect(XXH3.hex(bytes.lazy.map { $0 }) == XXH3.hex(bytes))
        #expect(ReproducibilityStamp.hash(bytes) == "xxh3:" + XXH3.hex(bytes))
    }
}
