import Foundation

/// A registered data set as the API shows it: bars stored once in the catalog format under the
/// content hash of those bytes (`xxh3:` + 16 hex digits, as run stamps and checkpoints record a
/// data file), fetched by workers that lack it.
public struct DatasetRecord: Sendable, Codable, Hashable {
    public var hash: String
    public var name: String
    public var rows: Int64
    /// First and last bar's time, epoch milliseconds.
    public var firstMs: Int64
    public var lastMs: Int64
    /// The typical spacing between bars, milliseconds.
    public var intervalMs: Int64
    public var symbol: String?
    /// Bytes of the catalog (what a worker fetches and caches).
    public var bytes: Int64
    /// The file it was made from, and that file's format.
    public var source: String
    public var format: String
    public var createdBy: String
    public var createdAt: Date
    /// Jobs whose definition names it (a set in use cannot be removed).
    public var jobs: [String]
    /// The catalog's SHA-256 (hex), and where (the folder's URL) and when the leader put it in the
    /// object store (`ATS_DATASET_S3_URL`; nil: not there, workers fetch it from a coordinator).
    public var sha256: String?
    public var objectStore: String?
    public var objectStoredAt: Date?

    public init(
        hash: String, name: String, rows: Int64, firstMs: Int64, lastMs: Int64, intervalMs: Int64, symbol: String?,
        bytes: Int64, source: String, format: String, createdBy: String, createdAt: Date, jobs: [String] = [],
        sha256: String? = nil, objectStore: String? = nil, objectStoredAt: Date? = nil
    ) {
        self.hash = hash
        self.name = name
        self.rows = rows
        self.firstMs = firstMs
        self.lastMs = lastMs
        self.intervalMs = intervalMs
        self.symbol = symbol
        self.bytes = bytes
        self.source = source
        self.format = format
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.jobs = jobs
        self.sha256 = sha256
        self.objectStore = objectStore
        self.objectStoredAt = objectStoredAt
    }

    enum CodingKeys: String, CodingKey {
        case hash, name, rows, symbol, bytes, source, format, jobs, sha256
        case objectStore = "object_store"
        case objectStoredAt = "object_stored_at"
        case firstMs = "first_ms"
        case lastMs = "last_ms"
        case intervalMs = "interval_ms"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }
}
