/// The seed's "Generic" model: a fraction per order type (market or limit) and side, charged on the
/// quote amount (the default) or on the base amount received.
///
/// Parameters: `taker` and `maker` set market-style and limit-style rates for both sides at once;
/// `market_buy`, `market_sell`, `limit_buy`, `limit_sell` override one combination; `on` is `quote`
/// or `base` (`received` charges on whatever the side receives: base for buys, quote for sells).
public struct GenericFees: FeeModel {
    public enum ChargedOn: String, Sendable { case quote, base, received }

    public var marketBuy: Double
    public var marketSell: Double
    public var limitBuy: Double
    public var limitSell: Double
    public var chargedOn: ChargedOn

    public static let descriptor = ComponentDescriptor(
        name: "generic",
        summary: "Percent of the trade per order type and side, charged on quote, base or what is received.",
        parameters: [
            .double("taker", default: 0.001, range: 0...1, "rate for market and stop orders, both sides"),
            .double("maker", default: nil, range: 0...1, "rate for limit orders, both sides (default: taker)"),
            .double("market_buy", default: nil, range: 0...1, "overrides the rate of market buys"),
            .double("market_sell", default: nil, range: 0...1, "overrides the rate of market sells"),
            .double("limit_buy", default: nil, range: 0...1, "overrides the rate of limit buys"),
            .double("limit_sell", default: nil, range: 0...1, "overrides the rate of limit sells"),
            .choice("on", default: "quote", ["quote", "base", "received"], "the asset the fee is charged in"),
        ])

    public init(rate: Double, chargedOn: ChargedOn = .quote) {
        marketBuy = rate
        marketSell = rate
        limitBuy = rate
        limitSell = rate
        self.chargedOn = chargedOn
    }

    public init(parameters p: Parameters) throws(SpecError) {
        let taker = p.double("taker")
        let maker = p.optionalDouble("maker") ?? taker
        marketBuy = p.optionalDouble("market_buy") ?? taker
        marketSell = p.optionalDouble("market_sell") ?? taker
        limitBuy = p.optionalDouble("limit_buy") ?? maker
        limitSell = p.optionalDouble("limit_sell") ?? maker
        chargedOn = ChargedOn(rawValue: p.string("on")) ?? .quote
    }

    public var usesTrailingVolume: Bool { false }

    public func fee(for trade: TradeInfo) -> FeeCharge {
        let isLimit = trade.orderType == .limit || trade.orderType == .stopLimit
        let rate =
            switch (isLimit, trade.side) {
            case (false, .buy): marketBuy
            case (false, .sell): marketSell
            case (true, .buy): limitBuy
            case (true, .sell): limitSell
            }
        switch chargedOn {
        case .quote: return FeeCharge(quote: trade.notional * rate)
        case .base: return FeeCharge(base: trade.quantity * rate)
        case .received:
            return trade.side == .buy
                ? FeeCharge(base: trade.quantity * rate) : FeeCharge(quote: trade.notional * rate)
        }
    }
}
