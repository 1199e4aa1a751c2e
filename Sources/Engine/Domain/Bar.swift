/// One OHLCV bar. `time` is the bar's open time in milliseconds since the Unix epoch (UTC).
///
/// `buyVolume` and `sellVolume` are the taker buy and sell volumes when the source has them
/// (the seed's CSV and Binance klines do), otherwise zero.
public struct Bar: Sendable, Hashable, Codable {
    public var time: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double
    public var buyVolume: Double
    public var sellVolume: Double

    @inlinable
    public init(
        time: Int64, open: Double, high: Double, low: Double, close: Double,
        volume: Double, buyVolume: Double = 0, sellVolume: Double = 0
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
}
