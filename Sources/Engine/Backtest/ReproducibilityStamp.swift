import Foundation

/// What a run needs to be reproduced exactly: engine version, the data's content hash (XXH3-64,
/// `xxh3:` + 16 hex digits; `xxhsum -H3 FILE` prints the same) and size, the resolved
/// configuration (typed, defaults written out) and any random seed.
public struct ReproducibilityStamp: Sendable, Hashable, Codable {
    public var engineVersion: String
    public var dataFile: String
    public var dataHash: String
    public var dataBytes: Int
    public var bars: Int
    public var spec: RunSpec
    public var seed: Int?

    /// Moves whenever an output's bits may change (docs/ENGINE.md, "Results").
    public static let engineVersion = "ats-engine 0.3.0"

    /// The stamp's content hash of some bytes.
    public static func hash<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        "xxh3:" + XXH3.hex(bytes)
    }

    /// The same hash of `bytes`, finished from a ``XXH3/Progressive`` advanced over them.
    public static func hash(_ progress: XXH3.Progressive, of bytes: Data) -> String {
        "xxh3:" + HashHex.digest(bytes) { progress.digest($0) }
    }

    enum CodingKeys: String, CodingKey {
        case bars, spec, seed
        case engineVersion = "engine_version"
        case dataFile = "data_file"
        case dataHash = "data_hash"
        case dataBytes = "data_bytes"
    }

    public init(dataFile: String, data: Data, bars: Int, spec: RunSpec) {
        engineVersion = Self.engineVersion
        self.dataFile = dataFile
        dataHash = Self.hash(data)
        dataBytes = data.count
        self.bars = bars
        self.spec = spec
        if case .int(let s) = spec.strategy.config["seed"] { seed = s } else { seed = nil }
    }
}
