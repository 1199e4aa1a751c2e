import ATSEngine
import Foundation
import Testing

/// ``RunWindow``: a ring buffer whose sharing check is made once per run. Copies must still behave
/// as values, and its checkpoint form must be a ``RingBuffer``'s.
struct RunWindowTests {
    @Test func holdsTheLastValuesLikeARingBuffer() {
        var window = RunWindow(capacity: 3)
        var ring = RingBuffer(capacity: 3)
        for x in [1.0, 2, 3, 4, 5] {
            window.push(x)
            ring.push(x)
            #expect(window.values == ring.values)
            #expect(window.oldest == ring.oldest)
            #expect(window.count == ring.count && window.isFull == ring.isFull)
        }
        #expect(window[age: 0] == 5 && window[age: 2] == 3)
    }

    @Test(arguments: [1, 2, 5])
    func replacingTheOldestReadsWhatTheSubscriptReads(_ capacity: Int) {
        var window = RunWindow(capacity: capacity)
        var ring = RingBuffer(capacity: capacity)
        for x in 0..<capacity {
            window.push(Double(x))
            ring.push(Double(x))
        }
        for x in capacity..<(4 * capacity + 3) {
            let age = x % capacity
            let read = window.replaceOldestAssumingUnique(Double(x), readingAge: age)
            ring.push(Double(x))
            #expect(window.values == ring.values)
            #expect(read.atAge == ring[age: age] && read.oldest == ring.oldest)
        }
    }

    @Test func aCopyKeepsItsValuesWhenTheOriginalIsWritten() {
        var a = RunWindow(capacity: 4)
        for x in [1.0, 2, 3] { a.push(x) }
        let b = a
        a.push(9)
        #expect(b.values == [1, 2, 3])
        #expect(a.values == [1, 2, 3, 9])
        // The unchecked push after makeUnique leaves a copy taken before it alone too.
        let c = a
        a.makeUnique()
        a.pushAssumingUnique(10)
        #expect(c.values == [1, 2, 3, 9])
        #expect(a.values == [2, 3, 9, 10])
        #expect(a != c)
    }

    @Test func encodesAsARingBufferAndBack() throws {
        var ring = RingBuffer(capacity: 5)
        var window = RunWindow(capacity: 5)
        for x in stride(from: 0.5, to: 8, by: 1) {
            ring.push(x)
            window.push(x)
        }
        let fromRing = try CheckpointCoding.decoder().decode(
            RunWindow.self, from: try CheckpointCoding.encoder().encode(ring))
        #expect(fromRing == window)
        #expect(try CheckpointCoding.encoder().encode(window) == (try CheckpointCoding.encoder().encode(ring)))
        let back = try CheckpointCoding.decoder().decode(
            RingBuffer.self, from: try CheckpointCoding.encoder().encode(window))
        #expect(back == ring)
    }

    @Test func aCorruptCheckpointIsRefused() throws {
        let bad = Data(#"{"storage":[1,2],"head":5,"_count":1}"#.utf8)
        #expect(throws: DecodingError.self) { try CheckpointCoding.decoder().decode(RunWindow.self, from: bad) }
    }
}
