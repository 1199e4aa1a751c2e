/// The seed's liquidation on a drifting base/quote balance, for the bracketed strategies
/// (`simple_ma`, `lstm`): when the position's value passes `liquidate_share` of the account's
/// equity — the price ran, or a bracket never filled — its working orders are cancelled and the
/// position goes back to quote at market (tag `liquidate`). Stateless: the bound is all it needs,
/// so a reload or a resume keeps it without a checkpoint of its own.
public enum Liquidation {
    public static let parameter: ParameterSpec = .double(
        "liquidate_share", default: 0, range: 0...10,
        "liquidate at market when the position's value passes this share of equity (0: never)")

    /// The bound these parameters set (nil: off). It must leave room for an entry: a bound at or
    /// below `order_value_pct` would liquidate every entry on its next bar.
    public static func bound(_ p: Parameters) throws(SpecError) -> Double? {
        let share = p.double("liquidate_share")
        guard share > 0 else { return nil }
        let entry = p.double("order_value_pct")
        guard share > entry else {
            throw SpecError(
                field: "liquidate_share",
                reason: "must be above order_value_pct (\(entry)) or 0, got \(share): every entry would be liquidated")
        }
        return share
    }

    /// Whether the position is being liquidated at this bar's close: an order sent now, or one
    /// still working (never a second: both filling would reverse the position). The strategy then
    /// places nothing else this bar.
    @inlinable
    public static func check<V: TradingVenue>(bound: Double?, close: Double, venue: inout V) -> Bool {
        guard let bound else { return false }
        if venue.openOrders.contains(where: { $0.tag == "liquidate" }) { return true }
        guard venue.positionSign != 0 else { return false }
        let equity = venue.wallet.equity(at: close)
        guard equity <= 0 || abs(venue.position) * close > bound * equity else { return false }
        venue.cancelAll()
        PositionTarget.move(to: 0, venue: &venue, tag: "liquidate")
        return true
    }
}
