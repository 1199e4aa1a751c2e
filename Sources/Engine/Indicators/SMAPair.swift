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
    @usableFromInline let shortDivisor: PeriodDivisor
    @usableFromInline let longDivisor: PeriodDivisor

    public init(short: Int, long: Int) {
        precondition(short >= 1 && short <= long)
        shortPeriod = short
        longPeriod = long
        window = RunWindow(capacity: long)
        shortDivisor = PeriodDivisor(short)
        longDivisor = PeriodDivisor(long)
    }

    /// Two averages restored from their separate states (checkpoints written before the pair).
    init(short: SMA, long: SMA) {
        shortPeriod = short.period
        longPeriod = long.period
        window = RunWindow(long.window)
        shortPartial = short.partialSum
        longPartial = long.partialSum
        shortDivisor = short.divisor
        longDivisor = long.divisor
    }

    enum CodingKeys: String, CodingKey { case shortPeriod, longPeriod, window, shortPartial, longPartial }

    /// The checkpointed state; the divisors follow from the periods.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shortPeriod = try c.decodePeriod(forKey: .shortPeriod)
        longPeriod = try c.decodePeriod(forKey: .longPeriod)
        guard shortPeriod <= longPeriod else {
            throw DecodingError.dataCorruptedError(
                forKey: .shortPeriod, in: c, debugDescription: "periods \(shortPeriod) and \(longPeriod)")
        }
        window = try c.decode(RunWindow.self, forKey: .window)
        try c.requireWindow(window.capacity, forPeriod: longPeriod, forKey: .window)
        shortPartial = try c.decode(Double.self, forKey: .shortPartial)
        longPartial = try c.decode(Double.self, forKey: .longPartial)
        shortDivisor = PeriodDivisor(shortPeriod)
        longDivisor = PeriodDivisor(longPeriod)
    }

    /// The mean of the newest `period` values (at most ``longPeriod``), summed afresh from the
    /// window: NaN until that many were seen. For drawing, off the update path; it equals the
    /// running average to within rounding (the running sums add and drop in another order).
    public func mean(ofLast period: Int) -> Double {
        guard period >= 1, period <= window.count else { return .nan }
        var sum = 0.0
        for age in 0..<period { sum += window[age: age] }
        return sum / Double(period)
    }

    /// Feeds `values[from..<end]` one by one as ``updateAssumingUnique(_:)`` would, while
    /// `accept(short, long)`, given the averages a value would give before it is fed, says yes;
    /// returns the index of the first value not fed (`end` when every one was). Feeds nothing
    /// unless the window is full; like ``updateAssumingUnique(_:)``, only after ``makeUnique()``.
    ///
    /// The pair's state lives in locals through the loop (a backtest's loop keeps it in memory,
    /// around the calls it may make), so a strategy can run ahead over bars it would not trade on
    /// (``Strategy/quietBars(_:from:to:positionSign:)``): the same arithmetic in the same order, the same bits.
    @inlinable @inline(__always)
    public mutating func feed(
        _ values: UnsafePointer<Double>, from: Int, to end: Int, while accept: (Double, Double) -> Bool
    ) -> Int {
        guard window.isFull else { return from }
        let base = window.storage.base
        let capacity = window.capacity
        let age = shortPeriod - 1
        let (shortDivisor, longDivisor) = (shortDivisor, longDivisor)
        var head = window.head
        var (short, long) = (shortPartial, longPartial)
        var i = from
        while i < end {
            let x = values[i]
            guard accept(shortDivisor.divide(short + x), longDivisor.divide(long + x)) else { break }
            base[head] = x
            let (next, atAge) = RunWindow.advance(head, capacity: capacity, age: age)
            short += x - base[atAge]
            long += x - base[next]
            head = next
            i &+= 1
        }
        window.head = head
        (shortPartial, longPartial) = (short, long)
        return i
    }

    /// Feeds `values[from..<end]` as ``updateAssumingUnique(_:)`` would while the long average
    /// stays undefined after them (the window one short of full at most); returns the index of
    /// the first value not fed. Only after ``makeUnique()``.
    @inlinable
    public mutating func warmUp(_ values: UnsafePointer<Double>, from: Int, to end: Int) -> Int {
        var i = from
        while i < end && window.count &+ 1 < longPeriod {
            _ = updateAssumingUnique(values[i])
            i &+= 1
        }
        return i
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
            let short = shortDivisor.divide(shortPartial + x)
            let long = longDivisor.divide(longPartial + x)
            shortPartial += x - leavingShort
            longPartial += x - leavingLong
            return (short, long)
        }
        window.pushAssumingUnique(x)
        let seen = window.count
        var short: Double?
        if seen >= shortPeriod {
            short = shortDivisor.divide(shortPartial + x)
            shortPartial += x - window[age: shortPeriod - 1]
        } else {
            shortPartial += x
        }
        guard seen == longPeriod else {
            longPartial += x
            return (short, nil)
        }
        let long = longDivisor.divide(longPartial + x)
        longPartial += x - window.oldest
        return (short, long)
    }
}
