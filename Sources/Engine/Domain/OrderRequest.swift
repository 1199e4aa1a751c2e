/// What a strategy asks the exchange to do. The exchange turns it into an ``Order``.
///
/// `takeProfit` and `stopLoss` make a bracket (the seed's "dual order"): once the entry fills, the
/// exchange places a take-profit limit and a stop-loss stop on the other side for the filled
/// quantity, linked one-cancels-the-other.
public struct OrderRequest: Sendable, Hashable, Codable {
    public var side: OrderSide
    public var type: OrderType
    public var quantity: Double
    public var limitPrice: Double?
    public var stopPrice: Double?
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var takeProfit: Double?
    public var stopLoss: Double?
    public var tag: InlineString

    public init(
        side: OrderSide, type: OrderType, quantity: Double, limitPrice: Double? = nil, stopPrice: Double? = nil,
        timeInForce: TimeInForce = .gtc, postOnly: Bool = false, takeProfit: Double? = nil,
        stopLoss: Double? = nil, tag: InlineString = ""
    ) {
        self.side = side
        self.type = type
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.stopPrice = stopPrice
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.takeProfit = takeProfit
        self.stopLoss = stopLoss
        self.tag = tag
    }

    public static func market(_ side: OrderSide, _ quantity: Double, tag: InlineString = "") -> OrderRequest {
        OrderRequest(side: side, type: .market, quantity: quantity, tag: tag)
    }

    public static func limit(
        _ side: OrderSide, _ quantity: Double, at price: Double, timeInForce: TimeInForce = .gtc, tag: InlineString = ""
    ) -> OrderRequest {
        OrderRequest(
            side: side, type: .limit, quantity: quantity, limitPrice: price, timeInForce: timeInForce, tag: tag)
    }

    public static func stop(_ side: OrderSide, _ quantity: Double, at price: Double, tag: InlineString = "")
        -> OrderRequest
    {
        OrderRequest(side: side, type: .stop, quantity: quantity, stopPrice: price, tag: tag)
    }
}
