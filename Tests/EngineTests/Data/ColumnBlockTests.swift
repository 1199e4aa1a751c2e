import Foundation
import Testing

@testable import ATSEngine

struct ColumnBlockTests {
    /// A mapped block of eight columns of `stride` bytes, every page written, at `address` when
    /// that range is free (the kernel takes the address as a hint).
    func written(stride: Int, at address: Int? = nil) -> UnsafeMutableRawPointer {
        let p = mmap(
            address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }, stride * 8, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        memset(p, 0x5A, stride * 8)
        return p
    }

    /// The flags of the mapping of this process that holds `address` (`VmFlags` in smaps).
    func mappingFlags(_ address: Int) throws -> [String] {
        // Read to the end: /proc files have no size to read up to.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        var inside = false
        for line in String(decoding: file.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            let bounds = fields.first?.split(separator: "-").compactMap { Int($0, radix: 16) } ?? []
            if bounds.count == 2 {
                inside = bounds[0] <= address && address < bounds[1]
            } else if inside, fields.first == "VmFlags:" {
                return fields.dropFirst().map(String.init)
            }
        }
        return []
    }

    @Test func theColumnsAFileLacksAreReadFromTheHugeZeroPage() throws {
        // Columns of 4 MiB: the buy and sell volumes a plain file lacks ask for huge pages (so a
        // read maps the huge zero page), the written ones do not, and all read as written.
        let rows = 4 << 20 / 8
        let block = try ColumnBlock(rows: rows, file: "test")
        // Columns of a huge page or more start on huge-page boundaries (so the lacking ones lie
        // wholly on huge pages).
        #expect(Int(bitPattern: block.column(0, as: UInt8.self)) % ColumnBlock.hugePage == 0)
        block.readAbsentAsZeros(buyVolume: false, sellVolume: false)
        var row = 0
        while row < rows { row = block.populate(from: row, below: rows, false, false) }
        block.write(
            Bar(time: 7, open: 2, high: 3, low: 1, close: 2.5, volume: 9), at: rows - 1, buyVolume: false,
            sellVolume: false)
        let series = block.series(count: rows)
        #expect(series.close[rows - 1] == 2.5 && series.volume[rows - 1] == 9 && series.time[0] == 0)
        #expect(
            stride(from: 0, to: rows, by: 4096).allSatisfy { series.buyVolume[$0] == 0 && series.sellVolume[$0] == 0 })
        #if os(Linux)
            if ColumnBlock.hugeZeroPage {
                let middle = { (k: Int) in Int(bitPattern: block.column(k, as: UInt8.self)) + (4 << 20) / 2 }
                #expect(try mappingFlags(middle(6)).contains("hg"))
                #expect(try mappingFlags(middle(7)).contains("hg"))
                #expect(try !mappingFlags(middle(0)).contains("hg"))
                #expect(try !mappingFlags(middle(5)).contains("hg"))
                // Reading both lacking columns of a block nothing has read yet, a value a page (8
                // MiB), maps the huge zero page four times, not 2,048 pages one fault each.
                // (This thread's faults only.)
                let fresh = try ColumnBlock(rows: rows, file: "test")
                fresh.readAbsentAsZeros(buyVolume: false, sellVolume: false)
                let series = fresh.series(count: rows)
                let before = threadFaults()
                var sum = 0.0
                for i in stride(from: 0, to: rows, by: 512) { sum += series.buyVolume[i] + series.sellVolume[i] }
                #expect(sum == 0)
                #expect(threadFaults() - before < 64, "\(threadFaults() - before) faults")
            }
        #endif
    }

    #if os(Linux)
        /// Page faults this thread has taken.
        func threadFaults() -> Int {
            var usage = rusage()
            getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD, which Glibc does not export
            return usage.ru_minflt + usage.ru_majflt
        }
    #endif

    @Test func aLargeBlockIsGivenBackWithOrWithoutAThreadToHelp() {
        // Above the size freed on two threads: given back (its address range free again) when a
        // helper runs, and when the system refuses one (the call returns: it does not wait for a
        // thread that never started).
        let stride = ColumnBlock.parallelReleaseFrom / 8 + 4096
        for refused in [false, true] {
            // Far below where the kernel places mappings (it takes the highest free range that
            // fits, under the stacks): a range freed up there may be mapped again at once by
            // another test's allocation, and mincore would find it. Nothing asks for this one.
            let address = (1 << 44) + (refused ? 1 << 32 : 0)
            let p = written(stride: stride, at: address)
            #expect(Int(bitPattern: p) == address, "the range asked for was free")
            DetachedThread.$refused.withValue(refused) { ColumnBlock.release(p, stride * 8) }
            // The range is unmapped: mincore refuses it.
            var residency = [UInt8](repeating: 0, count: stride * 8 / 4096)
            #expect(mincore(p, stride * 8, &residency) == -1 && errno == ENOMEM, "refused threads: \(refused)")
        }
    }
}
