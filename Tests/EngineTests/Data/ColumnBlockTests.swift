import Foundation
import Testing

@testable import ATSEngine

struct ColumnBlockTests {
    /// A mapped block of eight columns of `stride` bytes, every page written.
    func written(stride: Int) -> UnsafeMutableRawPointer {
        let p = mmap(nil, stride * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        memset(p, 0x5A, stride * 8)
        return p
    }

    /// The flags of the mapping of this process that holds `address` (`VmFlags` in smaps).
    func mappingFlags(_ address: Int) throws -> [String] {
        // Read to the end: /proc files have no size to read up to.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        let smaps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            let bounds = fields.first?.split(separator: "-").compactMap { Int($0, radix: 16) } ?? []
            if bounds.count == 2, !fields[0].hasSuffix(":") {
                inside = bounds[0] <= address && address < bounds[1]
            } else if inside, fields.first == "VmFlags:" {
                return fields.dropFirst().map(String.init)
            }
        }
        return []
    }

    @Test func aLargeBlockLiesOnHugePages() throws {
        // Just past the size from which columns are on huge pages: each column starts on a 2 MiB
        // boundary (two huge pages a column here), in a mapping that asks for them, and the
        // bars written at either end of a column read back.
        let rows = ColumnBlock.hugeFrom / 8 + 1000
        let block = try ColumnBlock(rows: rows, file: "test")
        let first = Int(bitPattern: block.column(0, as: UInt8.self))
        let second = Int(bitPattern: block.column(1, as: UInt8.self))
        let last = Int(bitPattern: block.column(7, as: UInt8.self))
        if ColumnBlock.usesHugePages {
            #expect(first % ColumnBlock.hugePage == 0)
            #expect(second - first == 2 * ColumnBlock.hugePage)
            #expect(try mappingFlags(first).contains("hg"))
            #expect(try mappingFlags(last + rows * 8 - 1).contains("hg"))
        }
        var row = 0
        while row < rows { row = block.populate(from: row, below: rows, false, false) }
        let bar = { (k: Int) in
            Bar(time: Int64(k), open: 2, high: 3, low: 1, close: Double(k) + 0.5, volume: 7)
        }
        block.write(bar(0), at: 0, buyVolume: false, sellVolume: false)
        block.write(bar(rows - 1), at: rows - 1, buyVolume: false, sellVolume: false)
        let series = block.series(count: rows)
        #expect(series.time[0] == 0 && series.close[0] == 0.5)
        #expect(series.time[rows - 1] == Int64(rows - 1) && series.close[rows - 1] == Double(rows - 1) + 0.5)
        #expect(series.volume[rows / 2] == 0 && series.sellVolume[rows - 1] == 0)
    }

    @Test func aLargeBlockIsGivenBackWithOrWithoutAThreadToHelp() {
        // Above the size freed on two threads: given back (its address range free again) when a
        // helper runs, and when the system refuses one (the call returns: it does not wait for a
        // thread that never started).
        let stride = ColumnBlock.parallelReleaseFrom / 8 + 4096
        for refused in [false, true] {
            let p = written(stride: stride)
            DetachedThread.$refused.withValue(refused) { ColumnBlock.release(p, stride * 8) }
            // The range is unmapped: mincore refuses it.
            var residency = [UInt8](repeating: 0, count: stride * 8 / 4096)
            #expect(mincore(p, stride * 8, &residency) == -1 && errno == ENOMEM, "refused threads: \(refused)")
        }
    }
}
