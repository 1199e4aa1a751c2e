import Foundation

/// What a run needs to be reproduced exactly: engine version, the data's SHA-256 and size, the
/// resolved configuration (typed, defaults written out) and any random seed.
public struct ReproducibilityStamp: Sendable, Hashable, Codable {
    public var engineVersion: String
    public var dataFile: String
    public var dataSHA256: String
    public var dataBytes: Int
    public var bars: Int
    public var spec: RunSpec
    public var seed: Int?

    public static let engineVersion = "ats-engine 0.1.0"

    enum CodingKeys: String, CodingKey {
        case bars, spec, seed
        case engineVersion = "engine_version"
        case dataFile = "data_file"
        case dataSHA256 = "data_sha256"
        case dataBytes = "data_bytes"
    }

    public init(dataFile: String, data: Data, bars: Int, spec: RunSpec) {
        engineVersion = Self.engineVersion
        self.dataFile = dataFile
        dataSHA256 = SHA256.hex(data)
        dataBytes = data.count
        self.bars = bars
        self.spec = spec
        if case .int(let s) = spec.strategy.config["seed"] { seed = s } else { seed = nil }
    }
}
