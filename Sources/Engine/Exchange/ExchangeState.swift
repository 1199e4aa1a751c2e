/// Everything the simulated exchange must remember between bars; it is part of every checkpoint.
public struct ExchangeState: Sendable, Hashable, Codable {
    public var wallet: Wallet
    /// Every order of the run, indexed by id.
    public var orders: [Order]
    /// Working orders, oldest first.
    public var openIds: [OrderID]
    public var nextSeq: Int64
    public var barIndex: Int
    public var bar: Bar
    /// Fills of the trailing 30 days as (time, quote notional), oldest first, for tiered fees.
    public var volumeWindow: [VolumeEntry]
    public var trailingVolume: Double
    public var rejectedOrders: Int

    public struct VolumeEntry: Sendable, Hashable, Codable {
        public var time: Int64
        public var notional: Double
    }

    public init(wallet: Wallet) {
        self.wallet = wallet
        orders = []
        openIds = []
        nextSeq = 0
        barIndex = -1
        bar = Bar(time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0)
        volumeWindow = []
        trailingVolume = 0
        rejectedOrders = 0
    }
}
