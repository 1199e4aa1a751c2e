import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads bars from any supported file: the binary catalog (recognised by its magic) or CSV
/// (seed, plain or Binance, detected from the first line unless `format` says).
public enum BarLoader {
    /// The bars in the file at `path`. With `inPlace`, a catalog's columns stay in the mapped file
    /// (see ``BarCatalog/decode(_:file:inPlace:)``): the fastest load, for a process that reads the
    /// file once. The file must then be replaced (written elsewhere and renamed, as `ats data
    /// import` does), never rewritten where it stands, while the series lives: a mapped page that
    /// vanishes under a truncation faults. Long-lived holders (the worker's bar cache) copy.
    public static func load(path: String, format: BarFormat? = nil, inPlace: Bool = false) throws -> BarSeries {
        try parse(try read(path), file: path, format: format, inPlace: inPlace)
    }

    /// The file's bytes, memory-mapped read-only (no copy through the kernel's read path). The
    /// mapping is stable and lives as long as the returned `Data` and its copies. Anything but a
    /// regular file is refused; the open does not wait (a FIFO with no writer would block it).
    public static func read(_ path: String) throws(DataError) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw failure(path, errno) }
        defer { close(fd) }
        return try map(fd, file: path)
    }

    /// The bytes of the regular file open at `fd`, memory-mapped read-only; `file` names it in errors.
    public static func map(_ fd: Int32, file path: String) throws(DataError) -> Data {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(file: path, line: 0, column: 0, reason: "cannot read the file: not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { return Data() }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw failure(path, errno)
        }
        return Data(
            bytesNoCopy: address, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
    }

    /// A catalog or CSV file's bars. With `consume`, a large CSV's first bars are handed over while
    /// the rest still parse (``BarCSVReader/parse(_:file:format:consume:)``); a catalog's are
    /// there at once, and handed over by nothing.
    public static func parse(
        _ data: Data, file: String, format: BarFormat? = nil, inPlace: Bool = false,
        consume: ((BarSeries, Int) -> Void)? = nil
    ) throws(DataError) -> BarSeries {
        if format == .catalog || (format == nil && BarCatalog.isCatalog(data)) {
            return try BarCatalog.decode(data, file: file, inPlace: inPlace)
        }
        return try BarCSVReader.parse(data, file: file, format: format, consume: consume)
    }

    static func failure(_ path: String, _ code: Int32) -> DataError {
        DataError(file: path, line: 0, column: 0, reason: "cannot read the file: \(String(cString: strerror(code)))")
    }
}
