import ATSEngine
import Foundation

/// A live job's checkpoint: the strategy and its venue's state (``LiveRun``), the last candle
/// traded, the next client order sequence (never reused), and which venue orders are the job's
/// working orders.
struct LiveCheckpoint: Codable, Sendable {
    static let currentVersion = 1
    var version = currentVersion
    var lastOpenTime: Int64?
    var nextSequence: Int64
    /// Client order id → the engine's order id, for the orders still working.
    var working: [String: OrderID]
    var engine: Data

    static func decode(_ bytes: [UInt8]) throws -> LiveCheckpoint {
        let c = try JSONDecoder().decode(LiveCheckpoint.self, from: Data(bytes))
        guard c.version == currentVersion else {
            throw RunnerError("this worker cannot read a live checkpoint of version \(c.version)")
        }
        return c
    }

    func encoded() throws -> Data { try JSONEncoder().encode(self) }
}
