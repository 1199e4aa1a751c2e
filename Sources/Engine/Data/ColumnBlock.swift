import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Zeroed memory for the eight columns of a ``BarSeries`` of at most `rows` bars, which the CSV
/// reader's threads write in place (each its own rows) and then hand over: the series' columns
/// live in it (``BarColumn/init(inPlace:count:keeper:)``), so nothing is appended or copied.
///
/// A large block is an anonymous mapping, each column on its own pages, and only the pages
/// written cost memory: a column the file lacks (buy and sell volumes) and the rows the block was
/// sized for but never got (its room is an upper bound) are address space only. Measured and
/// dropped: asking for transparent huge pages for the written columns (`MADV_HUGEPAGE`; a system
/// whose policy is `always` gives them anyway). Mapping and zeroing 48 MB took ~4 ms instead of
/// 17–20, but in a VM whose balloon reports free memory to the host, a huge page freed earlier
/// comes back from the host on its next touch (a 1M-row run 78–167 ms after a 3 s pause, against
/// 74–98 ms in 4 KiB pages; session 10 saw the same as a tail of 80–120 ms).
/// The columns a file lacks do lie on huge pages, the shared zero one, which nothing allocates
/// (``readAbsentAsZeros(buyVolume:sellVolume:)``). A small block is one `calloc`.
struct ColumnBlock: @unchecked Sendable {
    /// Bytes per column from which the block is mapped rather than allocated.
    static let mappedFrom = 64 << 10

    private let base: UnsafeMutableRawPointer
    /// Bytes from one column to the next.
    private let stride: Int
    /// Owns the memory: the series' columns keep it alive.
    let keeper: Data
    /// Whether the block is a mapping (its pages can be populated ahead).
    private let mapped: Bool

    /// Room for `rows` bars; `file` names the source when the memory cannot be had.
    init(rows: Int, file: String) throws(DataError) {
        let bytes = max(rows, 1) * 8
        if bytes >= Self.mappedFrom {
            // Columns of a huge page or more start on huge-page boundaries, so that those a file
            // lacks lie wholly on the huge zero page (``readAbsentAsZeros(buyVolume:sellVolume:)``).
            let unit = bytes >= Self.hugePage ? Self.hugePage : Int(sysconf(Int32(_SC_PAGESIZE)))
            let stride = (bytes + unit - 1) / unit * unit
            // Address space only until written (the room is an upper bound: rows may be fewer).
            guard let mapping = Self.map(stride * 8, alignedTo: unit) else {
                throw DataError(
                    file: file, line: 0, column: 0, reason: "no memory for \(rows) bars (\(stride * 8 >> 20) MiB)")
            }
            base = mapping
            self.stride = stride
            mapped = true
            keeper = Data(
                bytesNoCopy: mapping, count: stride * 8,
                deallocator: .custom { pointer, count in Self.release(pointer, count) })
        } else {
            // At least 64 bytes a column, 512 in all: `Data` keeps buffers of a few bytes inline (a
            // copy, freeing the original), which would leave the columns pointing at freed memory.
            let stride = (bytes + 63) / 64 * 64
            guard let memory = calloc(8, stride) else {
                throw DataError(file: file, line: 0, column: 0, reason: "no memory for \(rows) bars")
            }
            base = memory
            self.stride = stride
            mapped = false
            keeper = Data(bytesNoCopy: memory, count: stride * 8, deallocator: .free)
        }
    }

    /// Column `k` (0 time, 1 open, 2 high, 3 low, 4 close, 5 volume, 6 buy volume, 7 sell volume).
    @inline(__always)
    func column<T>(_ k: Int, as type: T.Type) -> UnsafeMutablePointer<T> {
        (base + k * stride).assumingMemoryBound(to: T.self)
    }

    /// Writes `bar` as row `row`; the volumes the file lacks stay zero without being touched.
    @inline(__always)
    func write(_ bar: Bar, at row: Int, buyVolume: Bool, sellVolume: Bool) {
        column(0, as: Int64.self)[row] = bar.time
        column(1, as: Double.self)[row] = bar.open
        column(2, as: Double.self)[row] = bar.high
        column(3, as: Double.self)[row] = bar.low
        column(4, as: Double.self)[row] = bar.close
        column(5, as: Double.self)[row] = bar.volume
        if buyVolume { column(6, as: Double.self)[row] = bar.buyVolume }
        if sellVolume { column(7, as: Double.self)[row] = bar.sellVolume }
    }

    /// The columns a file writes: time, prices and volume, and the buy and sell volumes it has.
    private static func written(_ buyVolume: Bool, _ sellVolume: Bool) -> [Int] {
        Array(0..<6) + (buyVolume ? [6] : []) + (sellVolume ? [7] : [])
    }

    static let hugePage = 2 << 20

    /// Whether a read of an untouched huge-page range maps the kernel's huge zero page: transparent
    /// huge pages not off, and their zero page in use (without it such a read would allocate a
    /// huge page).
    static let hugeZeroPage: Bool = {
        #if os(Linux)
            let folder = "/sys/kernel/mm/transparent_hugepage/"
            guard let enabled = try? String(contentsOfFile: folder + "enabled", encoding: .utf8),
                let zeroPage = try? String(contentsOfFile: folder + "use_zero_page", encoding: .utf8)
            else { return false }
            return !enabled.contains("[never]") && zeroPage.hasPrefix("1")
        #else
            return false
        #endif
    }()

    /// `length` bytes of address space starting on a multiple of `alignment` (a power of two, at
    /// least a page), or nil: more is mapped and the slack either side given back.
    private static func map(_ length: Int, alignedTo alignment: Int) -> UnsafeMutableRawPointer? {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let extra = alignment > page ? alignment : 0
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        guard let mapping = mmap(nil, length + extra, PROT_READ | PROT_WRITE, flags, -1, 0), mapping != MAP_FAILED
        else { return nil }
        let start = (Int(bitPattern: mapping) + alignment - 1) / alignment * alignment
        let head = start - Int(bitPattern: mapping)
        if head > 0 { munmap(mapping, head) }
        if extra - head > 0 { munmap(UnsafeMutableRawPointer(bitPattern: start + length), extra - head) }
        return UnsafeMutableRawPointer(bitPattern: start)
    }

    /// Lets the columns the file lacks (buy and sell volumes), never written but read with every
    /// bar, be read from the kernel's huge zero page: one mapping per 2 MiB instead of a fault
    /// per 4 KiB page (a 1M-row run read 16 MB of them: ~3,900 faults, 2.6–2.9 ms on the
    /// strategy's thread here, against 0.02–0.09 ms). Nothing is allocated while they are only
    /// read (nothing writes them). A hint: with transparent huge pages off, the usual zero pages.
    func readAbsentAsZeros(buyVolume: Bool, sellVolume: Bool) {
        #if os(Linux)
            guard mapped, Self.hugeZeroPage else { return }
            let hugePage = Self.hugePage
            for (k, written) in [(6, buyVolume), (7, sellVolume)] where !written {
                // The whole 2 MiB ranges inside the column (a huge page must not reach past it).
                let start = (Int(bitPattern: base) + k * stride + hugePage - 1) / hugePage * hugePage
                let end = (Int(bitPattern: base) + (k + 1) * stride) / hugePage * hugePage
                if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
            }
        #endif
    }

    /// Rows mapped ahead at a time as the bars arrive.
    static let window = 16_384

    /// Gives a mapped block (eight columns of `count / 8` bytes) back: a large block's pages freed
    /// on two cores, odd columns on one and even ones on the other (the unwritten columns are the
    /// last two, so each side gets half the written ones), then the mapping removed. A 1M-row
    /// block's 12,000 written pages take 4 ms to free on one core; `MADV_DONTNEED` holds the
    /// address space only for reading, so the two sides free at once.
    static func release(_ pointer: UnsafeMutableRawPointer, _ count: Int) {
        #if os(Linux)
            if count >= Self.parallelReleaseFrom, ProcessInfo.processInfo.activeProcessorCount > 1 {
                let base = Int(bitPattern: pointer)
                let stride = count / 8
                @Sendable func free(columnsFrom first: Int) {
                    for k in Swift.stride(from: first, to: 8, by: 2) {
                        _ = madvise(UnsafeMutableRawPointer(bitPattern: base + k * stride), stride, MADV_DONTNEED)
                    }
                }
                let done = DispatchSemaphore(value: 0)
                let helper = DetachedThread.start {
                    free(columnsFrom: 1)
                    done.signal()
                }
                free(columnsFrom: 0)
                if helper { done.wait() } else { free(columnsFrom: 1) }
            }
        #endif
        munmap(pointer, count)
    }

    /// Mapped blocks from this size are given back on two cores.
    static let parallelReleaseFrom = 8 << 20

    /// Maps the pages of the next ``window`` rows from `row` (below `end`) of the columns that are
    /// written, zeroed, in one call per column instead of a fault per page (2–3 ms of a 1M-row
    /// load); returns the row below which they are mapped. A hint: where the kernel lacks
    /// `MADV_POPULATE_WRITE` (before 5.14) the pages fault in as usual. A window at a time, so that
    /// memory follows the bars written, never the room reserved.
    func populate(from row: Int, below end: Int, _ buyVolume: Bool, _ sellVolume: Bool) -> Int {
        let upTo = min(row + Self.window, end)
        #if os(Linux)
            guard mapped else { return end }
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            for k in Self.written(buyVolume, sellVolume) {
                let from = (Int(bitPattern: base) + k * stride + row * 8) / page * page
                let to = Int(bitPattern: base) + k * stride + upTo * 8
                _ = madvise(UnsafeMutableRawPointer(bitPattern: from), to - from, 23)  // MADV_POPULATE_WRITE
            }
        #endif
        return upTo
    }

    /// Moves rows `from..<from + count` down to start at `to` (< `from`) in the columns that are
    /// written (the others are zero throughout).
    func move(from: Int, count: Int, to: Int, buyVolume: Bool, sellVolume: Bool) {
        for k in Self.written(buyVolume, sellVolume) {
            let column = self.column(k, as: UInt64.self)
            memmove(column + to, column + from, count * 8)
        }
    }

    /// The first `count` rows as a series whose columns live in this block.
    func series(count: Int) -> BarSeries {
        func values<T>(_ k: Int, _ type: T.Type) -> BarColumn<T> {
            BarColumn(inPlace: UnsafePointer(column(k, as: T.self)), count: count, keeper: keeper)
        }
        return BarSeries(
            time: values(0, Int64.self), open: values(1, Double.self), high: values(2, Double.self),
            low: values(3, Double.self), close: values(4, Double.self), volume: values(5, Double.self),
            buyVolume: values(6, Double.self), sellVolume: values(7, Double.self))
    }
}
