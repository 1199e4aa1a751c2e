/// Everything the simulated exchange must remember between bars; it is part of every checkpoint,
/// so it stays small: working orders, a short history of finished ones, and daily volume.
public struct ExchangeState: Sendable, Hashable, Codable {
    public var wallet: Wallet
    /// Working orders, oldest first.
    public var open: [Order]
    /// The most recently finished orders, oldest first (between ``recentLimit`` and twice that).
    public var recent: [Order]
    public var nextOrderId: OrderID
    public var nextSeq: Int64
    public var barIndex: Int
    /// The current bar's open time and close: what orders submitted during the bar see (the
    /// whole bar is only needed while matching, which gets it directly).
    public var barTime: Int64
    public var barClose: Double
    /// Quote volume traded per UTC day, for the last 30 days (tiered fees).
    public var volumeByDay: [DayVolume]
    public var rejectedOrders: Int

    public static let recentLimit = 64

    public struct DayVolume: Sendable, Hashable, Codable {
        public var day: Int64
        public var notional: Double
    }

    public init(wallet: Wallet) {
        self.wallet = wallet
        open = []
        recent = []
        nextOrderId = 0
        nextSeq = 0
        barIndex = -1
        barTime = 0
        barClose = 0
        volumeByDay = []
        rejectedOrders = 0
    }

    /// Quote volume of the 30 UTC days before `day`, plus `day` so far.
    public func trailingVolume(day: Int64) -> Double {
        var sum = 0.0
        for d in volumeByDay where d.day > day - 30 { sum += d.notional }
        return sum
    }

    // Checkpoints before barTime/barClose held the whole bar (`bar`); they still load.
    enum CodingKeys: String, CodingKey {
        case wallet, open, recent, nextOrderId, nextSeq, barIndex, barTime, barClose, volumeByDay, rejectedOrders
    }

    private enum LegacyKeys: String, CodingKey { case bar }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        wallet = try c.decode(Wallet.self, forKey: .wallet)
        open = try c.decode([Order].self, forKey: .open)
        recent = try c.decode([Order].self, forKey: .recent)
        nextOrderId = try c.decode(OrderID.self, forKey: .nextOrderId)
        nextSeq = try c.decode(Int64.self, forKey: .nextSeq)
        barIndex = try c.decode(Int.self, forKey: .barIndex)
        volumeByDay = try c.decode([DayVolume].self, forKey: .volumeByDay)
        rejectedOrders = try c.decode(Int.self, forKey: .rejectedOrders)
        if c.contains(.barTime) {
            barTime = try c.decode(Int64.self, forKey: .barTime)
            barClose = try c.decode(Double.self, forKey: .barClose)
        } else {
            let bar = try decoder.container(keyedBy: LegacyKeys.self).decode(Bar.self, forKey: .bar)
            barTime = bar.time
            barClose = bar.close
        }
    }
}
