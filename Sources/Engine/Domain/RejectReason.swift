/// Why the exchange refused or canceled an order, in words a trader recognises. Plain data (no
/// `String` inside), so an ``Order`` stays trivially copyable.
public enum RejectReason: Sendable, Hashable, Codable, CustomStringConvertible {
    case quantityNotPositive
    case belowMinQuantity(quantity: Double, minimum: Double)
    case belowMinNotional(notional: Double, minimum: Double)
    case missingLimitPrice
    case missingStopPrice
    case priceNotPositive
    case insufficientBalance(asset: InlineString, needed: Double, free: Double)
    case wouldCrossAsMaker
    case fillOrKillNotFilled
    case unknownOrder
    case invalidBracket(BracketFault)
    case tagTooLong
    /// The live venue does not take this kind of order from a strategy (a stop-limit).
    case unsupportedOnVenue
    /// The venue refused the order with its code (errors.md), the message left to the job's log.
    case venueRefused(code: Int)
    /// Decided on a candle the live run traded late (catching up after a resume or a gap): not sent.
    case staleMarket
    /// A risk limit of the job's refused it before it was sent (the limit and why).
    case riskLimit(ReasonText)

    /// What is wrong with a bracket's prices. The raw values are the messages (and what
    /// checkpoints hold).
    public enum BracketFault: String, Sendable, Hashable, Codable {
        case takeProfitOnTheLossSide = "take-profit must be on the profit side of the entry"
        case stopLossOnTheProfitSide = "stop-loss must be on the loss side of the entry"
    }

    public var description: String {
        switch self {
        case .quantityNotPositive: "quantity is zero or negative after rounding to the step size"
        case .belowMinQuantity(let q, let m): "quantity \(q) is below the minimum \(m)"
        case .belowMinNotional(let n, let m): "notional \(n) is below the minimum \(m)"
        case .missingLimitPrice: "a limit price is required for this order type"
        case .missingStopPrice: "a stop price is required for this order type"
        case .priceNotPositive: "price must be positive"
        case .insufficientBalance(let a, let need, let free): "insufficient \(a): needs \(need), \(free) free"
        case .wouldCrossAsMaker: "limit order would cross the market and was sent as post-only"
        case .fillOrKillNotFilled: "fill-or-kill order could not be filled completely"
        case .unknownOrder: "no such open order"
        case .invalidBracket(let fault): fault.rawValue
        case .tagTooLong: "the order's tag is longer than \(InlineString.capacity) bytes of UTF-8"
        case .unsupportedOnVenue: "the live venue takes market, limit and stop orders and brackets (no stop-limits)"
        case .venueRefused(let code): "the venue refused the order (code \(code))"
        case .riskLimit(let why): "risk limit: \(why)"
        case .staleMarket: "decided on a candle that closed too long ago to trade on (the run was catching up)"
        }
    }
}
