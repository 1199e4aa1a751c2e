/// A sum of doubles rounded once, whatever the order they came in (Shewchuk's exact partials, as
/// Python's `math.fsum`): what a sweep's statistics across trials add, so that a cluster that
/// stored trials in another order than one machine ran them gives the same bits.
public struct ExactSum: Sendable, Hashable {
    /// Non-overlapping partials, smallest magnitude first; their exact sum is the sum.
    private var partials: [Double] = []

    public init() {}

    public mutating func add(_ value: Double) {
        var x = value
        var kept = 0
        for k in partials.indices {
            var y = partials[k]
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            let lo = y - (hi - x)
            if lo != 0 {
                partials[kept] = lo
                kept += 1
            }
            x = hi
        }
        partials.removeSubrange(kept...)
        partials.append(x)
    }

    /// The exact sum rounded to the nearest double (ties to even).
    public var value: Double {
        var n = partials.count
        guard n > 0 else { return 0 }
        n -= 1
        var hi = partials[n]
        var lo = 0.0
        while n > 0 {
            let x = hi
            n -= 1
            let y = partials[n]
            hi = x + y
            lo = y - (hi - x)
            if lo != 0 { break }
        }
        // Half-way cases: the partials below decide which way the rounding goes.
        if n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0)) {
            let y = lo * 2
            let x = hi + y
            if y == x - hi { hi = x }
        }
        return hi
    }
}
