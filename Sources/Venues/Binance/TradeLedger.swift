/// The trades of one symbol a connection has counted, by the venue's trade id: a fill arrives
/// in a new order's FULL answer, in the user data stream, and again in `myTrades` when a gap is
/// refilled; it is a fact once. Trade ids of a symbol grow with time, so a resumed ledger starts
/// from the highest id already stored (`countedThrough`).
///
/// Where a refill after a gap starts is the highest id counted *in sequence* — from the stream or
/// a refill, which see every trade in order — plus one, never the highest from a FULL answer: a
/// market order's answer during a gap carries a later id than a resting order's fill the stream
/// missed, and starting after it would skip that fill (`fromId` is inclusive, rest-api.md
/// "Account trade list").
public struct TradeLedger: Sendable, Equatable {
    /// Ids at or below were counted before this ledger began.
    public let countedThrough: Int64
    /// The highest id counted from an in-sequence source (the stream, a refill).
    public private(set) var inSequenceThrough: Int64
    private var seen: Set<Int64> = []

    public init(countedThrough: Int64 = 0) {
        self.countedThrough = countedThrough
        inSequenceThrough = countedThrough
    }

    /// Counts `tradeId`; false if it was counted already. `inSequence`: it comes from the stream
    /// or a refill (every trade up to it was seen), not from an order's own answer.
    public mutating func record(_ tradeId: Int64, inSequence: Bool = true) -> Bool {
        if inSequence { inSequenceThrough = max(inSequenceThrough, tradeId) }
        return tradeId > countedThrough && seen.insert(tradeId).inserted
    }

    /// The first trade id a refill asks for.
    public var refillFrom: Int64 { inSequenceThrough + 1 }

    /// Trades counted by this ledger.
    public var count: Int { seen.count }
}
