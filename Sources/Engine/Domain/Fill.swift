/// One execution. `seq` numbers a job's fills 0, 1, 2, … in the order they happen; together with
/// the job id it is the fill's identity, which makes every resend idempotent.
public struct Fill: Sendable, Hashable, Codable {
    public var seq: Int64
    public var orderId: OrderID
    public var time: Int64
    public var barIndex: Int
    public var side: OrderSide
    public var price: Double
    public var quantity: Double
    /// Fee charged in base and in quote (the seed's Generic model may charge both).
    public var feeBase: Double
    public var feeQuote: Double
    public var liquidity: Liquidity
    public var tag: InlineString

    public init(
        seq: Int64, orderId: OrderID, time: Int64, barIndex: Int, side: OrderSide, price: Double, quantity: Double,
        feeBase: Double, feeQuote: Double, liquidity: Liquidity, tag: InlineString
    ) {
        self.seq = seq
        self.orderId = orderId
        self.time = time
        self.barIndex = barIndex
        self.side = side
        self.price = price
        self.quantity = quantity
        self.feeBase = feeBase
        self.feeQuote = feeQuote
        self.liquidity = liquidity
        self.tag = tag
    }

    /// Fees in quote terms at the fill price.
    @inlinable
    public var feeInQuote: Double { feeQuote + feeBase * price }
}
