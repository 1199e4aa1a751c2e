/// Moves the position to a target with one market order: the order that closes a long and opens
/// a short (or the reverse) is a single order, as on a venue.
public enum PositionTarget {
    /// Sends the market order that takes the position to `target` base units; does nothing when
    /// already there (within half a step).
    @inlinable
    public static func move<V: TradingVenue>(to target: Double, venue: inout V, tag: String = "") {
        let delta = target - venue.position
        let tolerance = max(venue.instrument.stepSize / 2, 1e-12)
        guard abs(delta) > tolerance else { return }
        venue.submit(.market(delta > 0 ? .buy : .sell, abs(delta), tag: tag))
    }
}
