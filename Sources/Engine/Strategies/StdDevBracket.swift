/// The seed's bracketed entry, shared by `simple_ma` and `lstm`: a market order on the sides the
/// strategy allows (`go_long`, `go_short`), sized as a share of equity (`order_value_pct`), with a
/// take-profit and a stop-loss `tp_std` and `sl_std` standard deviations of the close
/// (`std_period` bars) away. Stateless: each strategy keeps the values it read, so its
/// checkpoint is its own.
public enum StdDevBracket {
    public static let parameters: [ParameterSpec] = [
        .int("std_period", default: 48, range: 2...100_000, "standard deviation period for TP/SL"),
        .double("tp_std", default: 3, range: 0.01...1000, "take-profit distance in standard deviations"),
        .double("sl_std", default: 2, range: 0.01...1000, "stop-loss distance in standard deviations"),
        .bool("go_long", default: true, "take long entries"),
        .bool("go_short", default: false, "take short entries (the exchange must allow shorting)"),
        .double("order_value_pct", default: 0.5, range: 0.0001...1, "entry size as a share of equity"),
        Liquidation.parameter,
    ]

    /// Refuses parameters that allow no side.
    public static func validate(_ p: Parameters) throws(SpecError) {
        guard p.bool("go_long") || p.bool("go_short") else {
            throw SpecError(field: "go_long", reason: "at least one of go_long and go_short must be true")
        }
    }

    /// Sends the entry: `side` at market, bracketed around `close` by `sd`.
    @inlinable
    public static func enter<V: TradingVenue>(
        _ side: OrderSide, close: Double, sd: Double, takeProfitStd: Double, stopLossStd: Double,
        orderValue: Double, venue: inout V
    ) {
        let quantity = venue.quantity(forEquityFraction: orderValue, at: close)
        venue.submit(
            OrderRequest(
                side: side, type: .market, quantity: quantity, takeProfit: close + side.sign * takeProfitStd * sd,
                stopLoss: close - side.sign * stopLossStd * sd, tag: side == .buy ? "long" : "short"))
    }
}
