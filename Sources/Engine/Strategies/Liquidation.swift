/// The seed's liquidation on a drifting base/quote balance, for the bracketed strategies
/// (`simple_ma`, `lstm`): when the position's value passes `liquidate_share` of the account's
/// equity — the price ran, a bracket never filled, a reload warms up while holding — its working
/// orders are cancelled and the position goes back to quote at market (tag `liquidate`). A pure
/// state machine over the venue the strategy sees: one order at a time, and an order that ends
/// without closing the position (refused, or the venue short of quote for a buy-back) is tried
/// again after 2, 4, … up to 64 bars, never every bar.
public struct Liquidation: Sendable, Hashable, Codable {
    /// Absent (or 0): never. Optional, so definitions that do not use it stay readable by workers
    /// of earlier releases (a job that sets it needs the `liquidation` capability).
    public static let parameter: ParameterSpec = .double(
        "liquidate_share", default: nil, range: 0...10,
        "liquidate at market when the position's value passes this share of equity (absent or 0: never)")

    /// The longest wait between two tries, in bars.
    static let longestBackoff = 64

    public let bound: Double
    /// Tries in a row that ended without bringing the position back under the bound.
    private(set) var failures = 0
    /// The bar of the last order sent, and whether its outcome is still to be counted.
    private(set) var sentAt: Int?
    private(set) var pending = false

    /// The liquidation these parameters ask for (nil: off). The bound must leave room for an
    /// entry: at or below `order_value_pct` every entry would be liquidated on its next bar.
    public init?(_ p: Parameters) throws(SpecError) {
        guard let share = p.optionalDouble("liquidate_share"), share > 0 else { return nil }
        let entry = p.double("order_value_pct")
        guard share > entry else {
            throw SpecError(
                field: "liquidate_share",
                reason: "must be above order_value_pct (\(entry)) or 0, got \(share): every entry would be liquidated")
        }
        bound = share
    }

    init(bound: Double) { self.bound = bound }

    /// Whether a position is being closed at this bar's close — by a liquidation sent now or
    /// still working, or by the strategy's own exit still working (a second market order beside
    /// it could reverse the position once both fill). The strategy then places nothing else this
    /// bar.
    @inlinable
    public mutating func check<V: TradingVenue>(close: Double, venue: inout V) -> Bool {
        if venue.openOrders.contains(where: { $0.tag == "liquidate" || $0.tag == "exit" }) { return true }
        let equity = venue.wallet.equity(at: close)
        let beyond =
            venue.positionSign != 0 && (equity <= 0 || abs(venue.position) * close > bound * equity)
        return decide(beyond: beyond, bar: venue.barIndex) ? send(close: close, venue: &venue) : false
    }

    /// The state machine: given whether the position is past the bound at `bar` (and no
    /// liquidation works), whether to send one now.
    @usableFromInline
    mutating func decide(beyond: Bool, bar: Int) -> Bool {
        guard beyond else {
            failures = 0
            pending = false
            sentAt = nil
            return false
        }
        // The last order ended and the position is still past the bound: it failed.
        if pending {
            failures += 1
            pending = false
        }
        if let sentAt, failures > 0, bar < sentAt + min(Self.longestBackoff, 1 << min(failures, 6)) { return false }
        return true
    }

    /// Cancels the working orders and sends the market order that closes the position — for a
    /// buy-back, no more than the free quote pays at the close. Nothing when what is left is
    /// below the venue's minimum (dust that cannot be traded).
    @usableFromInline
    mutating func send<V: TradingVenue>(close: Double, venue: inout V) -> Bool {
        let position = venue.position
        var quantity = venue.instrument.roundQuantity(abs(position))
        if position < 0, close > 0 {
            // The quote its working orders hold is free again once they are cancelled.
            quantity = min(quantity, venue.instrument.roundQuantity(max(0, venue.wallet.quote.total) / close))
        }
        // Dust, or nothing the quote pays: the position keeps its orders (its bracket).
        guard quantity > venue.flatTolerance, quantity >= venue.instrument.minQuantity,
            quantity * close >= venue.instrument.minNotional
        else { return false }
        venue.cancelAll()
        venue.submit(.market(position > 0 ? .sell : .buy, quantity, tag: "liquidate"))
        noteSent(at: venue.barIndex)
        return true
    }

    /// An order sent at `bar`, its outcome to be counted at the next check.
    mutating func noteSent(at bar: Int) {
        sentAt = bar
        pending = true
    }
}
