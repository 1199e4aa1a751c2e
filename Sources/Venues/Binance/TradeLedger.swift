/// The trades of one symbol a live run has counted, by the venue's trade id. Every source a run
/// books from sees the account's trades in id order — the user data stream, and a refill from
/// `myTrades` — so a watermark is the whole state: a trade is new exactly when its id is above
/// the highest counted, and a refill after a gap starts at the next id (`fromId` is inclusive,
/// rest-api.md "Account trade list"). An order's own FULL answer is not a source: its trades may
/// come before an earlier trade the stream has not delivered yet (docs/LIVE.md, "Reconciliation
/// as built"). The memory is constant however long the job trades.
public struct TradeLedger: Sendable, Equatable {
    /// Every trade at or below this id is counted (or was before this ledger began).
    public private(set) var countedThrough: Int64

    public init(countedThrough: Int64 = 0) {
        self.countedThrough = countedThrough
    }

    /// Counts `tradeId`, the next one of an in-order source; false if it was counted already.
    public mutating func record(_ tradeId: Int64) -> Bool {
        guard tradeId > countedThrough else { return false }
        countedThrough = tradeId
        return true
    }

    /// The first trade id a refill asks for.
    public var refillFrom: Int64 { countedThrough + 1 }
}
