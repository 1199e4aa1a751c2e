import ATSEngine

/// A stored fill with the epoch it arrived under and the revision of the job's definition that
/// made it.
public struct FillRow: Sendable, Codable, Hashable {
    public var jobId: Int64
    public var seq: Int64
    public var epoch: Int64
    public var orderId: Int64
    public var timeMs: Int64
    public var barIndex: Int64
    public var side: String
    public var price: Double
    public var quantity: Double
    public var feeBase: Double
    public var feeQuote: Double
    public var liquidity: String
    public var tag: String
    public var specRevision: Int64

    public init(
        jobId: Int64, seq: Int64, epoch: Int64, orderId: Int64, timeMs: Int64, barIndex: Int64, side: String,
        price: Double, quantity: Double, feeBase: Double, feeQuote: Double, liquidity: String, tag: String,
        specRevision: Int64 = 1
    ) {
        self.jobId = jobId
        self.seq = seq
        self.epoch = epoch
        self.orderId = orderId
        self.timeMs = timeMs
        self.barIndex = barIndex
        self.side = side
        self.price = price
        self.quantity = quantity
        self.feeBase = feeBase
        self.feeQuote = feeQuote
        self.liquidity = liquidity
        self.tag = tag
        self.specRevision = specRevision
    }

    enum CodingKeys: String, CodingKey {
        case seq, epoch, side, price, quantity, liquidity, tag
        case jobId = "job_id"
        case orderId = "order_id"
        case timeMs = "time_ms"
        case barIndex = "bar_index"
        case feeBase = "fee_base"
        case feeQuote = "fee_quote"
        case specRevision = "spec_revision"
    }

    /// The engine's fill (the epoch is dropped).
    public var fill: Fill {
        Fill(
            seq: seq, orderId: orderId, time: timeMs, barIndex: Int(barIndex), side: side == "BUY" ? .buy : .sell,
            price: price, quantity: quantity, feeBase: feeBase, feeQuote: feeQuote,
            liquidity: liquidity == "MAKER" ? .maker : .taker, tag: InlineString(tag))
    }
}
