import Foundation

/// A closed candle of a symbol at an interval, in decimal, as the kline stream (web-socket-
/// streams.md "Kline/Candlestick Streams") and `GET /api/v3/klines` (rest-api.md) give it. A
/// live or paper job trades on closed candles only: an open one changes until its close time.
public struct BinanceKline: Sendable, Equatable {
    public var symbol: String
    public var interval: String
    public var openTime: Int64
    public var closeTime: Int64
    public var open: VenueDecimal
    public var high: VenueDecimal
    public var low: VenueDecimal
    public var close: VenueDecimal
    public var volume: VenueDecimal
    public var trades: Int64
    public var isClosed: Bool

    public init(
        symbol: String, interval: String, openTime: Int64, closeTime: Int64, open: VenueDecimal, high: VenueDecimal,
        low: VenueDecimal, close: VenueDecimal, volume: VenueDecimal, trades: Int64, isClosed: Bool
    ) {
        self.symbol = symbol
        self.interval = interval
        self.openTime = openTime
        self.closeTime = closeTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.trades = trades
        self.isClosed = isClosed
    }

    /// The documented interval names and their lengths.
    public static func length(of interval: String) -> Int64? {
        let table: [String: Int64] = [
            "1s": 1_000, "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
            "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000,
            "12h": 43_200_000, "1d": 86_400_000, "3d": 259_200_000, "1w": 604_800_000,
        ]
        return table[interval]
    }

    /// A stream event, raw (`{"e":"kline",…}`) or combined (`{"stream":…,"data":{…}}`); nil for
    /// any other event.
    public static func event(_ data: Data) -> BinanceKline? {
        struct K: Decodable {
            var t: Int64
            var T: Int64
            var s: String
            var i: String
            var o: VenueDecimal
            var h: VenueDecimal
            var l: VenueDecimal
            var c: VenueDecimal
            var v: VenueDecimal
            var n: Int64
            var x: Bool
        }
        struct Event: Decodable {
            var e: String
            var k: K?
        }
        struct Combined: Decodable { var data: Event }
        let decoder = JSONDecoder()
        guard
            let event = (try? decoder.decode(Combined.self, from: data))?.data
                ?? (try? decoder.decode(Event.self, from: data)),
            event.e == "kline", let k = event.k
        else { return nil }
        return BinanceKline(
            symbol: k.s, interval: k.i, openTime: k.t, closeTime: k.T, open: k.o, high: k.h, low: k.l, close: k.c,
            volume: k.v, trades: k.n, isClosed: k.x)
    }

    public struct RowError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `GET /api/v3/klines`'s rows: `[openTime, "open", "high", "low", "close", "volume",
    /// closeTime, "quoteVolume", trades, …]`. A row whose close time is not past `venueNowMs` is
    /// the open candle.
    public static func rows(_ data: Data, symbol: String, interval: String, venueNowMs: Int64) throws -> [BinanceKline]
    {
        guard let rows = try JSONSerialization.jsonObject(with: data) as? [[Any]] else {
            throw RowError(description: "klines: not an array of rows")
        }
        return try rows.map { r in
            func decimal(_ k: Int) throws -> VenueDecimal {
                guard r.count > k, let s = r[k] as? String, let d = VenueDecimal(s) else {
                    throw RowError(description: "klines: field \(k) is not a decimal")
                }
                return d
            }
            func integer(_ k: Int) throws -> Int64 {
                guard r.count > k, let n = r[k] as? NSNumber else {
                    throw RowError(description: "klines: field \(k) is not a number")
                }
                return n.int64Value
            }
            let close = try integer(6)
            return BinanceKline(
                symbol: symbol, interval: interval, openTime: try integer(0), closeTime: close, open: try decimal(1),
                high: try decimal(2), low: try decimal(3), close: try decimal(4), volume: try decimal(5),
                trades: try integer(8), isClosed: close < venueNowMs)
        }
    }
}
