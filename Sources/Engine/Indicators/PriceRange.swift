/// The highest high and the lowest low of the last `period` bars, O(1) amortised per bar (two
/// monotonic windows). Donchian channels, Williams %R and the stochastics are built on it.
public struct PriceRange: Sendable, Hashable, Codable {
    @usableFromInline var highs: MonotonicWindow
    @usableFromInline var lows: MonotonicWindow

    public init(period: Int) {
        highs = MonotonicWindow(period: period, max: true)
        lows = MonotonicWindow(period: period, max: false)
    }

    /// Feeds one bar's high and low; returns the range once `period` bars were seen.
    @inlinable
    public mutating func update(high: Double, low: Double) -> (high: Double, low: Double)? {
        let h = highs.update(high)
        guard let l = lows.update(low), let h else { return nil }
        return (h, l)
    }
}
