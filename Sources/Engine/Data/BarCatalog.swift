import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The binary columnar bar file (`ats data import`): a 64-byte header, then each column as raw
/// little-endian values (time as Int64 milliseconds, the seven prices and volumes as Float64).
/// Loading is a size check: the columns are used in place in the mapped file (or copied, eight
/// memory copies), so a run starts at memory speed.
///
/// Header: magic `ATSBARS1` (8 bytes), format version (UInt32), reserved (UInt32), bar count
/// (UInt64), first and last time (Int64 each), 24 reserved bytes.
public enum BarCatalog {
    public static let magic = Array("ATSBARS1".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 64

    /// The bytes of a catalog of `bars` bars.
    public static func size(bars: Int) -> Int { headerSize + bars * 8 * 8 }

    /// Whether `data` starts like a catalog file.
    public static func isCatalog(_ data: Data) -> Bool {
        data.count >= 8 && data.prefix(8).elementsEqual(magic)
    }

    /// The catalog of `bars`, in memory: a second copy of the bars. A large one is better
    /// written to a file with ``write(_:to:file:)``, straight from the columns.
    public static func encode(_ bars: BarSeries) -> Data {
        var data = Data(count: size(bars: bars.count))
        data.withUnsafeMutableBytes { raw in
            var offset = 0
            parts(of: bars) { part in
                (raw.baseAddress! + offset).copyMemory(from: part.baseAddress!, byteCount: part.count)
                offset += part.count
            }
        }
        return data
    }

    /// Writes the catalog of `bars` to the file open at `fd`, from where the columns lie: no copy
    /// of the catalog is made in memory (registering a data set held the bars and their catalog
    /// at once). `file` names the file in errors.
    public static func write(_ bars: BarSeries, to fd: Int32, file: String) throws(DataError) {
        var failure: Int32?
        parts(of: bars) { part in
            var offset = 0
            while failure == nil, offset < part.count {
                let written = systemWrite(fd, part.baseAddress! + offset, part.count - offset)
                if written > 0 {
                    offset += written
                } else if written == 0 {
                    failure = EIO  // nothing written, and no reason given: not retried forever
                } else if errno != EINTR {
                    failure = errno
                }
            }
        }
        if let failure {
            throw DataError(
                file: file, line: 0, column: 0,
                reason: "cannot write the catalog: \(String(cString: strerror(failure)))")
        }
    }

    /// Writes the catalog of `bars` to `path`, as Foundation's atomic write does: to a new file
    /// of its own beside it (a random name, never an existing file or link), synced, then renamed
    /// over it, so a process that has the old file mapped keeps reading the old bars and a crash
    /// leaves the old file or the whole new one.
    public static func write(_ bars: BarSeries, atomicallyTo path: String) throws(DataError) {
        func failure(_ code: Int32) -> DataError {
            DataError(file: path, line: 0, column: 0, reason: "cannot write: \(String(cString: strerror(code)))")
        }
        var temporary = ""
        var fd: Int32 = -1
        while fd < 0 {
            temporary = path + ".tmp-\(UInt64.random(in: 0...UInt64.max))"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
            if fd < 0 && errno != EEXIST { throw failure(errno) }
        }
        do {
            try write(bars, to: fd, file: path)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure(code)
        }
    }

    /// The catalog's bytes in file order, a part at a time: the header, then each column where
    /// it lies (empty parts skipped). Every column must hold one value per bar.
    private static func parts(of bars: BarSeries, _ body: (UnsafeRawBufferPointer) -> Void) {
        let columns = [bars.open, bars.high, bars.low, bars.close, bars.volume, bars.buyVolume, bars.sellVolume]
        precondition(
            bars.time.count == bars.count && columns.allSatisfy { $0.count == bars.count },
            "a bar series whose columns differ in length")
        var header = [UInt8](repeating: 0, count: headerSize)
        header.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            for (i, b) in magic.enumerated() { base.storeBytes(of: b, toByteOffset: i, as: UInt8.self) }
            base.storeBytes(of: version.littleEndian, toByteOffset: 8, as: UInt32.self)
            base.storeBytes(of: UInt64(bars.count).littleEndian, toByteOffset: 16, as: UInt64.self)
            base.storeBytes(of: (bars.time.first ?? 0).littleEndian, toByteOffset: 24, as: Int64.self)
            base.storeBytes(of: (bars.time.last ?? 0).littleEndian, toByteOffset: 32, as: Int64.self)
        }
        header.withUnsafeBytes(body)
        func part(_ bytes: UnsafeRawBufferPointer) { if bytes.count > 0 { body(bytes) } }
        bars.time.withUnsafeBytes(part)
        for column in columns { column.withUnsafeBytes(part) }
    }

    private static func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(fd, bytes, count)
        #else
            Darwin.write(fd, bytes, count)
        #endif
    }

    /// The bars in a catalog file's bytes. With `inPlace`, the columns are used where they stand in
    /// `data` (which must then be a stable mapping, as ``BarLoader/read(_:)`` returns, and is kept
    /// alive by the series): nothing is copied, and a run touches only the pages it reads. Otherwise,
    /// or when the columns are not aligned in memory, each column is copied into an array.
    public static func decode(_ data: Data, file: String, inPlace: Bool = false) throws(DataError) -> BarSeries {
        guard isCatalog(data), data.count >= headerSize else {
            throw DataError(file: file, line: 0, column: 0, reason: "not an ATS bar catalog (bad magic)")
        }
        var result: Result<BarSeries, DataError> = .failure(DataError(file: file, line: 0, column: 0, reason: "empty"))
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            let fileVersion = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            let n = Int(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            guard fileVersion == version else {
                result = .failure(
                    DataError(
                        file: file, line: 0, column: 0,
                        reason: "catalog version \(fileVersion) is not supported (this build reads \(version))"))
                return
            }
            guard n > 0, n <= (data.count - headerSize) / 64, data.count == headerSize + n * 64 else {
                result = .failure(
                    DataError(
                        file: file, line: 0, column: 0,
                        reason: "catalog is truncated or corrupt: \(data.count) bytes for \(n) bars"))
                return
            }
            let aligned = Int(bitPattern: base) % MemoryLayout<Int64>.alignment == 0
            func column<T: BitwiseCopyable & Sendable>(_ k: Int, _: T.Type) -> BarColumn<T> {
                let start = base + headerSize + k * n * 8
                if inPlace && aligned {
                    return BarColumn(inPlace: start.assumingMemoryBound(to: T.self), count: n, keeper: data)
                }
                return BarColumn(
                    [T](unsafeUninitializedCapacity: n) { buffer, count in
                        UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: start, byteCount: n * 8)
                        count = n
                    })
            }
            result = .success(
                BarSeries(
                    time: column(0, Int64.self), open: column(1, Double.self), high: column(2, Double.self),
                    low: column(3, Double.self), close: column(4, Double.self), volume: column(5, Double.self),
                    buyVolume: column(6, Double.self), sellVolume: column(7, Double.self)))
        }
        return try result.get()
    }
}
