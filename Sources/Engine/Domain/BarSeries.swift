/// Bars stored column by column: each field is one contiguous array, which is what indicator batch
/// functions and the backtest loop read at memory speed.
public struct BarSeries: Sendable, Equatable {
    public var time: [Int64]
    public var open: [Double]
    public var high: [Double]
    public var low: [Double]
    public var close: [Double]
    public var volume: [Double]
    public var buyVolume: [Double]
    public var sellVolume: [Double]

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
        time += other.time
        open += other.open
        high += other.high
        low += other.low
        close += other.close
        volume += other.volume
        buyVolume += other.buyVolume
        sellVolume += other.sellVolume
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
}
