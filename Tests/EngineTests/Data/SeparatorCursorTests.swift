import Testing

@testable import ATSEngine

struct SeparatorCursorTests {
    /// The positions of `,`, LF and CR from `start`, one by one.
    func naive(_ bytes: [UInt8], from start: Int) -> [Int] {
        (start..<bytes.count).filter { bytes[$0] == 44 || bytes[$0] == 10 || bytes[$0] == 13 }
    }

    @Test func handsOutEverySeparatorInOrderAsFarAsItsBlocksReach() {
        // Separators dense and sparse, bytes above ASCII and NULs beside them, from every start
        // offset within two blocks: the cursor's positions are exactly the separators, none
        // skipped, up to where its blocks (16 bytes short of the end) reach.
        var rng = SeededRandom(seed: 64)
        for alphabet: [UInt8] in [[44, 10, 13, 48, 46, 0x80, 0xAC, 0x00], [44, 48, 49, 50, 51, 52, 53, 46, 46, 10]] {
            for length in [0, 15, 16, 79, 80, 81, 143, 144, 1000] {
                let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                for start in 0..<min(length, 130) {
                    let expected = naive(bytes, from: start)
                    var seen: [Int] = []
                    bytes.withUnsafeBufferPointer { p in
                        var cursor = SeparatorCursor(p, at: start, end: length)
                        while let position = cursor.next() { seen.append(position) }
                    }
                    let reach = start + (length - 16 - start) / 64 * 64
                    #expect(Array(expected.prefix(seen.count)) == seen, "length \(length) from \(start)")
                    #expect(seen.count >= expected.count(where: { $0 < reach }), "length \(length) from \(start)")
                }
            }
        }
    }

    @Test func aResetStartsOverFromTheRowItNames() {
        let row = Array("1700000000000,100.25,101.5,99.75,100.5,12.125\n".utf8)
        let bytes = Array(repeating: row, count: 10).flatMap { $0 }
        bytes.withUnsafeBufferPointer { p in
            var cursor = SeparatorCursor(p, at: 0, end: bytes.count)
            _ = cursor.next()
            cursor.reset(at: 3 * row.count)
            #expect(cursor.next() == 3 * row.count + 13)
            #expect(cursor.next() == 3 * row.count + 20)
        }
    }

    @Test func aStretchOfSixtyFourBytesWithoutASeparatorEndsTheCursor() {
        // No row is that long: the reader's other paths take such a row.
        let bytes = [UInt8](repeating: 48, count: 200) + [44] + [UInt8](repeating: 48, count: 100)
        bytes.withUnsafeBufferPointer { p in
            var cursor = SeparatorCursor(p, at: 0, end: bytes.count)
            #expect(cursor.next() == nil)
        }
    }
}
