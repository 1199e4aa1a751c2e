/// Fast %K: where a value sits in the high-low range of the last `period` bars, 0 to 100, with
/// TA-Lib's arithmetic (`(x − low) / ((high − low) / 100)`, 0 for a flat range). The first step of
/// ``Stochastic`` and ``StochasticRSI``.
public struct FastStochastic: Sendable, Hashable, Codable {
    @usableFromInline var range: PriceRange

    public init(period: Int) { range = PriceRange(period: period) }

    /// Feeds one bar's high, low and close; returns %K once `period` bars were seen.
    @inlinable
    public mutating func update(high: Double, low: Double, close: Double) -> Double? {
        guard let (h, l) = range.update(high: high, low: low) else { return nil }
        let diff = (h - l) / 100.0  // TA-Lib's arithmetic, for identical rounding
        return diff != 0 ? (close - l) / diff : 0
    }
}
