import Foundation

/// A paper job on a live market checkpoints the engine's state and the open time of the last
/// candle it traded: a resumed job fetches the candles closed since (``KlineGapFiller``) and
/// trades them in order before the live ones, so it makes the same fills again and no others.
struct MarketCheckpoint: Codable, Sendable {
    static let currentVersion = 1
    var version: Int
    var lastOpenTime: Int64?
    var engine: Data

    init(lastOpenTime: Int64?, engine: Data) {
        version = Self.currentVersion
        self.lastOpenTime = lastOpenTime
        self.engine = engine
    }

    static func decode(_ bytes: [UInt8]) throws -> MarketCheckpoint {
        let c = try JSONDecoder().decode(MarketCheckpoint.self, from: Data(bytes))
        guard c.version == currentVersion else {
            throw RunnerError("this worker cannot read a market checkpoint of version \(c.version)")
        }
        return c
    }

    func encoded() throws -> Data { try JSONEncoder().encode(self) }
}
