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
    public var bar: Bar
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
        bar = Bar(time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0)
        volumeByDay = []
        rejectedOrders = 0
    }

    /// Quote volume of the 30 UTC days before `day`, plus `day` so far.
    public func trailingVolume(day: Int64) -> Double {
        var sum = 0.0
        for d in volumeByDay where d.day > day - 30 { sum += d.notional }
        return sum
    }
}
