import CPlatform

/// Bars stored column by column: each field is one contiguous ``BarColumn``, which is what
/// indicator batch functions and the backtest loop read at memory speed. A catalog's columns live
/// in place in the mapped file (nothing copied); a CSV's are arrays of their own.
public struct BarSeries: Sendable, Equatable {
    public var time: BarColumn<Int64>
    public var open: BarColumn<Double>
    public var high: BarColumn<Double>
    public var low: BarColumn<Double>
    public var close: BarColumn<Double>
    public var volume: BarColumn<Double>
    public var buyVolume: BarColumn<Double>
    public var sellVolume: BarColumn<Double>

    public init() {
        time = []
        open = []
        high = []
        low = []
        close = []
        volume = []
        buyVolume = []
        sellVolume = []
    }

    /// A series of these columns (all of one length).
    public init(
        time: BarColumn<Int64>, open: BarColumn<Double>, high: BarColumn<Double>, low: BarColumn<Double>,
        close: BarColumn<Double>, volume: BarColumn<Double>, buyVolume: BarColumn<Double>,
        sellVolume: BarColumn<Double>
    ) {
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.buyVolume = buyVolume
        self.sellVolume = sellVolume
    }

    public init(capacity: Int) {
        self.init()
        reserveCapacity(capacity)
    }

    public init<S: Sequence>(_ bars: S) where S.Element == Bar {
        self.init(capacity: bars.underestimatedCount)
        for bar in bars { append(bar) }
    }

    @inlinable
    public var count: Int { time.count }

    @inlinable
    public var isEmpty: Bool { time.isEmpty }

    public mutating func reserveCapacity(_ n: Int) {
        time.reserveCapacity(n)
        open.reserveCapacity(n)
        high.reserveCapacity(n)
        low.reserveCapacity(n)
        close.reserveCapacity(n)
        volume.reserveCapacity(n)
        buyVolume.reserveCapacity(n)
        sellVolume.reserveCapacity(n)
    }

    @inlinable
    public mutating func append(_ bar: Bar) {
        time.append(bar.time)
        open.append(bar.open)
        high.append(bar.high)
        low.append(bar.low)
        close.append(bar.close)
        volume.append(bar.volume)
        buyVolume.append(bar.buyVolume)
        sellVolume.append(bar.sellVolume)
    }

    /// Appends another series' bars, column by column.
    public mutating func append(contentsOf other: BarSeries) {
        time.append(contentsOf: other.time)
        open.append(contentsOf: other.open)
        high.append(contentsOf: other.high)
        low.append(contentsOf: other.low)
        close.append(contentsOf: other.close)
        volume.append(contentsOf: other.volume)
        buyVolume.append(contentsOf: other.buyVolume)
        sellVolume.append(contentsOf: other.sellVolume)
    }

    @inlinable
    public subscript(index: Int) -> Bar {
        Bar(
            time: time[index], open: open[index], high: high[index], low: low[index], close: close[index],
            volume: volume[index], buyVolume: buyVolume[index], sellVolume: sellVolume[index])
    }

    /// The typical spacing between bars in milliseconds (the median of the first gaps), used to
    /// annualise statistics. Zero when there are fewer than two bars.
    public var barInterval: Int64 {
        guard count >= 2 else { return 0 }
        let n = min(count - 1, 1001)
        var gaps = (0..<n).map { time[$0 + 1] - time[$0] }
        gaps.sort()
        return gaps[gaps.count / 2]
    }

    /// Calls `body` with unchecked pointers to every column, valid only inside `body`: the fast
    /// way to read bar after bar (no bounds checks, no array retains per access).
    @inlinable
    public func withUnsafeColumns<R>(_ body: (BarPointers) throws -> R) rethrows -> R {
        try time.withUnsafeBufferPointer { t in
            try open.withUnsafeBufferPointer { o in
                try high.withUnsafeBufferPointer { h in
                    try low.withUnsafeBufferPointer { l in
                        try close.withUnsafeBufferPointer { c in
                            try volume.withUnsafeBufferPointer { v in
                                try buyVolume.withUnsafeBufferPointer { bv in
                                    try sellVolume.withUnsafeBufferPointer { sv in
                                        try body(
                                            BarPointers(
                                                time: t, open: o, high: h, low: l, close: c, volume: v, buyVolume: bv,
                                                sellVolume: sv))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Pointers to a ``BarSeries``'s columns, from ``BarSeries/withUnsafeColumns(_:)``.
public struct BarPointers {
    /// Asks for the lines holding bar `i` of the columns that matching orders reads beyond time
    /// and close (a hint; nothing past the end is asked).
    @inline(__always)
    public func prefetchForMatching(at i: Int) {
        guard i < close.count else { return }
        ats_prefetch(open.baseAddress! + i)
        ats_prefetch(high.baseAddress! + i)
        ats_prefetch(low.baseAddress! + i)
        ats_prefetch(volume.baseAddress! + i)
        ats_prefetch(buyVolume.baseAddress! + i)
        ats_prefetch(sellVolume.baseAddress! + i)
    }

    public let time: UnsafeBufferPointer<Int64>
    public let open: UnsafeBufferPointer<Double>
    public let high: UnsafeBufferPointer<Double>
    public let low: UnsafeBufferPointer<Double>
    public let close: UnsafeBufferPointer<Double>
    public let volume: UnsafeBufferPointer<Double>
    public let buyVolume: UnsafeBufferPointer<Double>
    public let sellVolume: UnsafeBufferPointer<Double>

    @inlinable
    public init(
        time: UnsafeBufferPointer<Int64>, open: UnsafeBufferPointer<Double>, high: UnsafeBufferPointer<Double>,
        low: UnsafeBufferPointer<Double>, close: UnsafeBufferPointer<Double>, volume: UnsafeBufferPointer<Double>,
        buyVolume: UnsafeBufferPointer<Double>, sellVolume: UnsafeBufferPointer<Double>
    ) {
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.buyVolume = buyVolume
        self.sellVolume = sellVolume
    }

    /// Bar `i`, unchecked.
    @inlinable
    public subscript(i: Int) -> Bar {
        Bar(
            time: time[i], open: open[i], high: high[i], low: low[i], close: close[i], volume: volume[i],
            buyVolume: buyVolume[i], sellVolume: sellVolume[i])
    }
}
