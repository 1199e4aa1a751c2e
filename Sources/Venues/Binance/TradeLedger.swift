/// The trades of one symbol a connection has counted, by the venue's trade id: a fill arrives
/// in a new order's FULL answer, in the user data stream, and again in `myTrades` when a gap is
/// refilled; it is a fact once. Trade ids of a symbol grow with time, so a resumed ledger starts
/// from the highest id already stored (`countedThrough`) and a refill after a gap asks from the
/// one after the highest counted (`fromId` is inclusive, rest-api.md "Account trade list").
public struct TradeLedger: Sendable, Equatable {
    /// Ids at or below were counted before this ledger began.
    public let countedThrough: Int64
    public private(set) var highest: Int64?
    private var seen: Set<Int64> = []

    public init(countedThrough: Int64 = 0) { self.countedThrough = countedThrough }

    /// Counts `tradeId`; false if it was counted already.
    public mutating func record(_ tradeId: Int64) -> Bool {
        guard tradeId > countedThrough, seen.insert(tradeId).inserted else { return false }
        highest = max(highest ?? tradeId, tradeId)
        return true
    }

    /// The first trade id a refill asks for.
    public var refillFrom: Int64 { max(countedThrough, highest ?? countedThrough) + 1 }

    /// Trades counted by this ledger.
    public var count: Int { seen.count }
}
