import ATSEngine
import ATSVenueConnector
import Foundation
import NIOPosix

/// A bar file made ready to register: parsed in any format the engine reads (CSV in its three
/// formats, or a catalog), written out as the catalog once, and hashed. The stored bytes are
/// always the catalog, so the same bars registered from a CSV or from its catalog are one set.
struct DatasetIngest: Sendable {
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
    static func make(path: String, file: String, format: BarFormat?) async throws -> DatasetIngest {
        try await NIOThreadPool.singleton.runIfActive {
            // The file is mapped only while it is parsed: unmapped before the catalog is made, so
            // the peak holds the bars and one of the two, not all three.
            let (bars, detected) = try { () throws -> (BarSeries, String) in
                let data = try BarLoader.read(path)
                let detected = format?.rawValue ?? (BarCatalog.isCatalog(data) ? "catalog" : "csv")
                return (try BarLoader.parse(data, file: file, format: format), detected)
            }()
            guard bars.count > 0 else {
                throw DataError(file: file, line: 0, column: 0, reason: "holds no bars")
            }
            let catalog = BarCatalog.encode(bars)
            return DatasetIngest(
                catalog: catalog, hash: ReproducibilityStamp.hash(catalog), sha256: S3Client.sha256(catalog),
                rows: Int64(bars.count),
                firstMs: bars.time[0], lastMs: bars.time[bars.count - 1], intervalMs: bars.barInterval,
                format: detected)
        }
    }
}
