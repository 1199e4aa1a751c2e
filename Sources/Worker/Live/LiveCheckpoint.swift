import ATSEngine
import Foundation

/// A live job's checkpoint: the strategy and its venue's state (``LiveRun``), the last candle
/// traded, the next client order sequence (never reused), the job's working orders, the orders
/// whose intents are being written or sent (taken before each intent: docs/LIVE.md,
/// "Reconciliation"), and the trade id through which every execution is in the state.
package struct LiveCheckpoint: Codable, Sendable {
    static let currentVersion = 2
    var version = currentVersion
    var lastOpenTime: Int64?
    var nextSequence: Int64
    /// Client order id → the engine's order id, for the orders still working (in flight included).
    var working: [String: OrderID]
    /// Orders whose outcome this state does not know: written or about to be, maybe sent. A
    /// resumed run settles each with the store's intents and the venue.
    var inFlight: [String] = []
    /// The venue's order id → client order id, for the working orders the venue accepted.
    var venueOrders: [Int64: String] = [:]
    /// Every trade of the symbol on the account up to this id is folded in (the job's) or known
    /// not to be the job's; a resumed run refills from the next one.
    var tradesThrough: Int64?
    /// The job's risk state (its day's baseline, rejections in a row, the last minute's orders).
    var risk: RiskGate?
    var engine: Data

    init(
        lastOpenTime: Int64?, nextSequence: Int64, working: [String: OrderID], inFlight: [String],
        venueOrders: [Int64: String], tradesThrough: Int64?, risk: RiskGate? = nil, engine: Data
    ) {
        self.lastOpenTime = lastOpenTime
        self.nextSequence = nextSequence
        self.working = working
        self.inFlight = inFlight
        self.venueOrders = venueOrders
        self.tradesThrough = tradesThrough
        self.risk = risk
        self.engine = engine
    }

    enum CodingKeys: String, CodingKey {
        case version, lastOpenTime, nextSequence, working, inFlight, venueOrders, tradesThrough, risk, engine
    }

    /// Version 1 (before reconciliation) had no in-flight orders, venue ids or trade watermark.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        lastOpenTime = try c.decodeIfPresent(Int64.self, forKey: .lastOpenTime)
        nextSequence = try c.decode(Int64.self, forKey: .nextSequence)
        working = try c.decode([String: OrderID].self, forKey: .working)
        inFlight = try c.decodeIfPresent([String].self, forKey: .inFlight) ?? []
        venueOrders = try c.decodeIfPresent([Int64: String].self, forKey: .venueOrders) ?? [:]
        tradesThrough = try c.decodeIfPresent(Int64.self, forKey: .tradesThrough)
        risk = try c.decodeIfPresent(RiskGate.self, forKey: .risk)
        engine = try c.decode(Data.self, forKey: .engine)
        // Version 1 knew no venue ids: every working order is asked for by its client id.
        if version == 1 { inFlight = working.keys.sorted() }
    }

    static func decode(_ bytes: [UInt8]) throws -> LiveCheckpoint {
        let c = try JSONDecoder().decode(LiveCheckpoint.self, from: Data(bytes))
        guard (1...currentVersion).contains(c.version) else {
            throw RunnerError("this worker cannot read a live checkpoint of version \(c.version)")
        }
        return c
    }

    func encoded() throws -> Data { try JSONEncoder().encode(self) }
}
