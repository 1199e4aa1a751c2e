/// Two simple moving averages of one series, a short and a long one, sharing one window: the
/// values are exactly those of two ``SMA``s (same arithmetic, bit for bit), for one window update
/// per value instead of two. Crossover strategies use it, in a backtest's loop through
/// ``updateAssumingUnique(_:)`` (see ``RunWindow``).
public struct SMAPair: Sendable, Hashable, Codable {
    public let shortPeriod: Int
    public let longPeriod: Int
    /// The last `longPeriod` values.
    @usableFromInline var window: RunWindow
    /// Each average's sum of its newest `period − 1` values.
    @usableFromInline var shortPartial: Double = 0
    @usableFromInline var longPartial: Double = 0

    public init(short: Int, long: Int) {
        precondition(short >= 1 && short <= long)
        shortPeriod = short
        longPeriod = long
        window = RunWindow(capacity: long)
    }

    /// Two averages restored from their separate states (checkpoints written before the pair).
    init(short: SMA, long: SMA) {
        shortPeriod = short.period
        longPeriod = long.period
        window = RunWindow(long.window)
        shortPartial = short.partialSum
        longPartial = long.partialSum
    }

    /// Feeds one value; returns each average once its period is complete.
    @inlinable @inline(__always)
    public mutating func update(_ x: Double) -> (short: Double?, long: Double?) {
        window.makeUnique()
        return updateAssumingUnique(x)
    }

    /// Gives the window storage of its own (see ``RunWindow/makeUnique()``).
    @inlinable
    public mutating func makeUnique() { window.makeUnique() }

    /// ``update(_:)`` without the check for a copy sharing the window: only after
    /// ``makeUnique()`` with no copy of this value made since.
    @inlinable @inline(__always)
    public mutating func updateAssumingUnique(_ x: Double) -> (short: Double?, long: Double?) {
        if window.isFull {
            // The steady state, every bar after the first `longPeriod`: the same arithmetic as
            // below, with the window's index work done once.
            let (leavingShort, leavingLong) = window.replaceOldestAssumingUnique(x, readingAge: shortPeriod - 1)
            let shortTotal = shortPartial + x
            let longTotal = longPartial + x
            shortPartial = shortTotal - leavingShort
            longPartial = longTotal - leavingLong
            return (shortTotal / Double(shortPeriod), longTotal / Double(longPeriod))
        }
        window.pushAssumingUnique(x)
        let seen = window.count
        var short: Double?
        if seen >= shortPeriod {
            let total = shortPartial + x
            short = total / Double(shortPeriod)
            shortPartial = total - window[age: shortPeriod - 1]
        } else {
            shortPartial += x
        }
        guard seen == longPeriod else {
            longPartial += x
            return (short, nil)
        }
        let total = longPartial + x
        longPartial = total - window.oldest
        return (short, total / Double(longPeriod))
    }
}
