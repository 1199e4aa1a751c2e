/// Moves the position to a target with one market order: the order that closes a long and opens
/// a short (or the reverse) is a single order, as on a venue.
public enum PositionTarget {
    /// Sends the market order that takes the position to `target` base units; does nothing when
    /// already there (within half a step).
    @inlinable
    public static func move<V: TradingVenue>(to target: Double, venue: inout V, tag: InlineString = "") {
        let delta = target - venue.position
        let quantity = venue.instrument.roundQuantity(abs(delta))
        guard quantity > venue.flatTolerance else { return }
        venue.submit(.market(delta > 0 ? .buy : .sell, quantity, tag: tag))
    }
}
