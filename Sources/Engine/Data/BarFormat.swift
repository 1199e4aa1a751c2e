/// The bar file formats the engine reads.
public enum BarFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// The seed's CSV: `time,open,high,low,close,volume,buy_volume,sell_volume`, time as
    /// `2022-05-12 00:00:00+00:00`.
    case seed
    /// `timestamp,open,high,low,close,volume` with epoch milliseconds.
    case plain
    /// Binance kline CSV, no header: open time (ms), open, high, low, close, volume, close time,
    /// quote volume, trades, taker buy base volume, taker buy quote volume, ignore.
    case binance
    /// The engine's binary columnar catalog (`ats data import`).
    case catalog
}
