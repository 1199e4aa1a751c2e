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
/// A large block is an anonymous mapping with each column on its own 2 MiB boundary and
/// transparent huge pages asked for: the kernel then zeroes and maps a column in a few faults
/// instead of one per 4 KiB page (the faults were a sixth of a 1M-row load), and a column never
/// written (no buy and sell volumes in the file) costs no memory at all. A small block is one
/// `calloc`: a short file must not hold 16 MiB.
struct ColumnBlock: @unchecked Sendable {
    /// Bytes per huge page, and the size from which a column gets its own.
    static let hugePage = 2 << 20

    private let base: UnsafeMutableRawPointer
    /// Bytes from one column to the next.
    private let stride: Int
    /// Owns the memory: the series' columns keep it alive.
    let keeper: Data

    init(rows: Int) {
        let bytes = max(rows, 1) * 8
        if bytes >= Self.hugePage {
            let stride = (bytes + Self.hugePage - 1) / Self.hugePage * Self.hugePage
            let size = stride * 8 + Self.hugePage  // room to align the first column
            let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let mapping, mapping != MAP_FAILED else { fatalError("out of memory: \(size) bytes for columns") }
            let aligned = (Int(bitPattern: mapping) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
            base = UnsafeMutableRawPointer(bitPattern: aligned)!
            #if os(Linux)
                _ = madvise(base, stride * 8, MADV_HUGEPAGE)  // a hint: without it, 4 KiB pages
            #endif
            self.stride = stride
            keeper = Data(
                bytesNoCopy: mapping, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
        } else {
            let stride = (bytes + 63) / 64 * 64
            guard let memory = calloc(8, stride) else { fatalError("out of memory: \(stride * 8) bytes for columns") }
            base = memory
            self.stride = stride
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

    /// Moves rows `from..<from + count` down to start at `to` (< `from`) in every column.
    func move(from: Int, count: Int, to: Int) {
        for k in 0..<8 {
            let column = self.column(k, as: UInt64.self)
            memmove(column + to, column + from, count * 8)
        }
    }

    /// The first `count` rows as a series whose columns live in this block.
    func series(count: Int) -> BarSeries {
        func values<T>(_ k: Int, _ type: T.Type) -> BarColumn<T> {
            BarColumn(inPlace: UnsafePointer(column(k, as: T.self)), count: count, keeper: keeper)
        }
        var series = BarSeries()
        series.time = values(0, Int64.self)
        series.open = values(1, Double.self)
        series.high = values(2, Double.self)
        series.low = values(3, Double.self)
        series.close = values(4, Double.self)
        series.volume = values(5, Double.self)
        series.buyVolume = values(6, Double.self)
        series.sellVolume = values(7, Double.self)
        return series
    }
}
