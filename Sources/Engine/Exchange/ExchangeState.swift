/// Everything the simulated exchange must remember between bars; it is part of every checkpoint,
/// so it stays small: working orders, a short history of finished ones, and daily volume.
public struct ExchangeState: Sendable, Hashable, Codable {
    public var wallet: Wallet
    /// Working orders, oldest first.
    public var open: [Order] { didSet { workingBounds = nil } }
    /// ``open`` summarised for matching (``WorkingOrderBounds``); derived, so neither checkpointed
    /// nor compared, and forgotten whenever `open` changes.
    var workingBounds: WorkingOrderBounds?
    /// The most recently finished orders (at most ``recentKept``), oldest first.
    public var recent: [Order] {
        recentStart == 0 ? recentRing : Array(recentRing[recentStart...] + recentRing[..<recentStart])
    }
    /// ``recent`` as a ring once full: a finished order overwrites the oldest in place, so keeping
    /// the history costs one copy of an order and never a shift of the others.
    private var recentRing: [Order]
    /// Where the oldest sits in ``recentRing`` (0 until the ring is full).
    private var recentStart = 0
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
    /// How many finished orders ``recent`` keeps: what the run's strategy may look up by id
    /// (``Strategy/finishedOrdersKept``). Checkpointed, so a state read back keeps as many as the
    /// one written.
    public private(set) var recentKept = ExchangeState.recentLimit

    /// How many finished orders the history keeps unless the strategy says otherwise.
    public static let recentLimit = 64

    /// Keeps a finished order in the history, forgetting the oldest beyond ``recentKept``.
    mutating func archive(_ o: Order) {
        guard recentKept > 0 else { return }
        if recentRing.count < recentKept {
            recentRing.append(o)
            return
        }
        recentRing[recentStart] = o
        recentStart += 1
        if recentStart == recentKept { recentStart = 0 }
    }

    /// Keeps the newest `count` finished orders from now on, forgetting any older ones at once.
    mutating func keepRecent(_ count: Int) {
        let count = max(count, 0)
        guard count != recentKept else { return }
        recentRing = Array(recent.suffix(count))
        recentStart = 0
        recentKept = count
    }

    /// How many finished orders ``recent`` holds (at most ``recentKept``).
    var recentCount: Int { recentRing.count }

    /// ``recent`` as ``writeCheckpointJSON(into:)`` writes it, read from the ring in place.
    func writeRecent(into w: inout CheckpointWriter) throws {
        let ring = recentRing
        let start = recentStart
        try w.array((0..<ring.count).lazy.map { ring[(start + $0) % ring.count] }) {
            try $1.writeCheckpointJSON(into: &$0)
        }
    }

    /// The most recent finished order with this id.
    func finished(_ id: OrderID) -> Order? {
        recentRing.first { $0.id == id }  // ids are unique: slot order does not matter
    }

    public struct DayVolume: Sendable, Hashable, Codable {
        public var day: Int64
        public var notional: Double
    }

    public init(wallet: Wallet) {
        self.wallet = wallet
        open = []
        recentRing = []
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
        case wallet, open, recent, recentKept, nextOrderId, nextSeq, barIndex, barTime, barClose, volumeByDay
        case rejectedOrders
    }

    private enum LegacyKeys: String, CodingKey { case bar }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        wallet = try c.decode(Wallet.self, forKey: .wallet)
        open = try c.decode([Order].self, forKey: .open)
        // Checkpoints written before the ring kept up to twice the limit: the newest count. Those
        // written before strategies said how many they look up kept the default.
        recentKept = try c.decodeIfPresent(Int.self, forKey: .recentKept) ?? Self.recentLimit
        guard recentKept >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .recentKept, in: c, debugDescription: "a negative count of finished orders: \(recentKept)")
        }
        recentRing = Array(try c.decode([Order].self, forKey: .recent).suffix(recentKept))
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

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(wallet, forKey: .wallet)
        try c.encode(open, forKey: .open)
        try c.encode(recent, forKey: .recent)
        try c.encode(recentKept, forKey: .recentKept)
        try c.encode(nextOrderId, forKey: .nextOrderId)
        try c.encode(nextSeq, forKey: .nextSeq)
        try c.encode(barIndex, forKey: .barIndex)
        try c.encode(barTime, forKey: .barTime)
        try c.encode(barClose, forKey: .barClose)
        try c.encode(volumeByDay, forKey: .volumeByDay)
        try c.encode(rejectedOrders, forKey: .rejectedOrders)
    }

    // Equal by what they hold, whatever slot of the ring the oldest finished order sits in.
    public static func == (a: ExchangeState, b: ExchangeState) -> Bool {
        a.wallet == b.wallet && a.open == b.open && a.recent == b.recent && a.recentKept == b.recentKept
            && a.nextOrderId == b.nextOrderId
            && a.nextSeq == b.nextSeq && a.barIndex == b.barIndex && a.barTime == b.barTime
            && a.barClose == b.barClose && a.volumeByDay == b.volumeByDay && a.rejectedOrders == b.rejectedOrders
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(wallet)
        hasher.combine(open)
        hasher.combine(recent)
        hasher.combine(recentKept)
        hasher.combine(nextOrderId)
        hasher.combine(nextSeq)
        hasher.combine(barIndex)
        hasher.combine(barTime)
        hasher.combine(barClose)
        hasher.combine(volumeByDay)
        hasher.combine(rejectedOrders)
    }
}
