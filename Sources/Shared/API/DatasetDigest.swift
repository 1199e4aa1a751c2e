/// What a coordinator states about a data set to a worker (`GET /worker/datasets/{hash}/digest`,
/// under a MAC of these bytes): its size, its catalog's SHA-256, and whether the leader has put it
/// in the object store (docs/DATASETS.md).
public struct DatasetDigest: Sendable, Codable, Equatable {
    public var bytes: Int64
    public var sha256: String?
    public var inObjectStore: Bool

    public init(bytes: Int64, sha256: String?, inObjectStore: Bool) {
        self.bytes = bytes
        self.sha256 = sha256
        self.inObjectStore = inObjectStore
    }

    enum CodingKeys: String, CodingKey {
        case bytes, sha256
        case inObjectStore = "in_object_store"
    }
}
