import ATSEngine
import ATSVenueConnector
import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A bar file made ready to register: parsed in any format the engine reads (CSV in its three
/// formats, or a catalog), written out as the catalog once, and hashed. The stored bytes are
/// always the catalog, so the same bars registered from a CSV or from its catalog are one set.
struct DatasetIngest: Sendable {
    /// The catalog, mapped from a temporary file that is already unlinked (it goes with the last
    /// copy of this value): its pages are the kernel's to reclaim, not the process's memory.
    var catalog: Data
    var hash: String
    /// The catalog's SHA-256 (hex): what a copy from the object store is checked against.
    var sha256: String
    var rows: Int64
    var firstMs: Int64
    var lastMs: Int64
    var intervalMs: Int64
    /// The source's format: the one given, else `catalog` or `csv` (detected from the bytes).
    var format: String

    /// Parses the file at `path` (mapped; named `file` in errors: `file:line`), off the
    /// cooperative threads.
    ///
    /// The process's memory holds the bars alone, never their catalog beside them: the source
    /// is unmapped once parsed, the catalog is written from the bars' columns to an unlinked
    /// temporary file (mode 600, in `temporaryFolder`), the bars are let go, and the catalog is
    /// hashed and stored from that file's mapping, whose pages the kernel may reclaim.
    static func make(
        path: String, file: String, format: BarFormat?,
        temporaryFolder: String = FileManager.default.temporaryDirectory.path
    ) async throws -> DatasetIngest {
        try await NIOThreadPool.singleton.runIfActive {
            let (fd, shape) = try writeCatalog(of: path, file: file, format: format, in: temporaryFolder)
            defer { close(fd) }
            let catalog: Data
            do { catalog = try BarLoader.map(fd, file: file) } catch let e as DataError {
                throw StorageFailure(e.reason)
            }
            return DatasetIngest(
                catalog: catalog, hash: ReproducibilityStamp.hash(catalog), sha256: S3Client.sha256(catalog),
                rows: shape.rows, firstMs: shape.firstMs, lastMs: shape.lastMs, intervalMs: shape.intervalMs,
                format: shape.format)
        }
    }

    /// What is kept of the bars once their catalog is written.
    private struct Shape {
        var rows: Int64
        var firstMs: Int64
        var lastMs: Int64
        var intervalMs: Int64
        var format: String
    }

    /// Parses the file at `path` and writes its catalog to a new unlinked file in `folder`, open
    /// at the returned descriptor. The source's mapping goes once it is parsed, the bars when this
    /// returns; a file that is not bars is refused before anything is written.
    private static func writeCatalog(of path: String, file: String, format: BarFormat?, in folder: String) throws
        -> (Int32, Shape)
    {
        let (bars, detected) = try { () throws -> (BarSeries, String) in
            let data = try BarLoader.read(path)
            let detected = format?.rawValue ?? (BarCatalog.isCatalog(data) ? "catalog" : "csv")
            return (try BarLoader.parse(data, file: file, format: format), detected)
        }()
        guard bars.count > 0 else { throw DataError(file: file, line: 0, column: 0, reason: "holds no bars") }
        let fd = try temporaryFile(in: folder)
        do { try BarCatalog.write(bars, to: fd, file: file) } catch {
            close(fd)
            throw StorageFailure(error.reason)
        }
        let shape = Shape(
            rows: Int64(bars.count), firstMs: bars.time[0], lastMs: bars.time[bars.count - 1],
            intervalMs: bars.barInterval, format: detected)
        return (fd, shape)
    }

    /// The coordinator could not keep the catalog it made (a full or unwritable temporary
    /// folder): its own failure, not the file's, so not answered as bad input.
    struct StorageFailure: Error, CustomStringConvertible {
        var description: String
        init(_ reason: String) { description = "the data set's catalog: \(reason)" }
    }

    /// A new file in `folder`, open for reading and writing, mode 600, and already unlinked:
    /// nothing is left behind, whatever ends the process.
    private static func temporaryFile(in folder: String) throws(StorageFailure) -> Int32 {
        let path = URL(fileURLWithPath: folder).appendingPathComponent("ats-catalog-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StorageFailure("cannot make a temporary file: \(String(cString: strerror(errno)))")
        }
        unlink(path)
        return fd
    }
}
