/// What a coordinator states about a data set to a worker (`GET /worker/datasets/{hash}/digest`,
/// under a MAC of these bytes): its size, its catalog's SHA-256, and the object store (the folder's
/// URL) the leader has put it in, if any (docs/DATASETS.md). A worker reads the set from its own
/// store only when it is that one.
public struct DatasetDigest: Sendable, Codable, Equatable {
    public var bytes: Int64
    public var sha256: String?
    public var objectStore: String?

    public init(bytes: Int64, sha256: String?, objectStore: String?) {
        self.bytes = bytes
        self.sha256 = sha256
        self.objectStore = objectStore
    }

    enum CodingKeys: String, CodingKey {
        case bytes, sha256
        case objectStore = "object_store"
    }
}
