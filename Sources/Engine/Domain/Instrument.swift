/// A tradable pair and the venue's rules for it.
///
/// Prices are rounded to `tickSize` and quantities to `stepSize` (a zero means "no rule");
/// an order below `minQuantity` or `minNotional` (price × quantity, in quote) is rejected.
public struct Instrument: Sendable, Hashable, Codable {
    public var base: String
    public var quote: String
    public var tickSize: Double
    public var stepSize: Double
    public var minQuantity: Double
    public var minNotional: Double

    public init(
        base: String, quote: String, tickSize: Double = 0, stepSize: Double = 0, minQuantity: Double = 0,
        minNotional: Double = 0
    ) {
        self.base = base
        self.quote = quote
        self.tickSize = tickSize
        self.stepSize = stepSize
        self.minQuantity = minQuantity
        self.minNotional = minNotional
    }

    /// The symbol as venues print it, `BTCUSDT`.
    public var symbol: String { base + quote }

    /// Rounds a price to the nearest tick, landing on the decimal the tick implies
    /// (99.987 with tick 0.01 is 99.99, not 99.99000000000001).
    @inlinable
    public func roundPrice(_ price: Double) -> Double {
        guard tickSize > 0 else { return price }
        return Self.snap((price / tickSize).rounded(.toNearestOrEven), tickSize)
    }

    /// Rounds a quantity down to the step size (never buys or sells more than asked).
    @inlinable
    public func roundQuantity(_ quantity: Double) -> Double {
        guard stepSize > 0 else { return quantity }
        // The epsilon keeps 0.3 / 0.1 = 2.9999999999999996 from rounding down to 2 steps; it grows
        // with the number of steps, as the division's rounding error does.
        let steps = quantity / stepSize
        return Self.snap((steps + 1e-9 + steps.magnitude * 1e-12).rounded(.down), stepSize)
    }

    /// `steps × increment`, rounded to the increment's decimal places.
    @inlinable
    static func snap(_ steps: Double, _ increment: Double) -> Double {
        var scale = 1.0
        while scale < 1e12 && ((increment * scale).rounded() - increment * scale).magnitude > 1e-9 * increment * scale {
            scale *= 10
        }
        return (steps * increment * scale).rounded() / scale
    }

    /// Whether a symbol part is well formed: 1 to 20 upper-case letters or digits.
    public static func isValidAsset(_ asset: String) -> Bool {
        !asset.isEmpty && asset.count <= 20
            && asset.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
