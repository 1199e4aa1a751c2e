import ATSVenues

/// One candle as the venue builds it from its trades (web-socket-streams.md "Kline/Candlestick
/// Streams": start and close time, first and last trade id, OHLC, volumes, trade count).
public struct FakeKline: Sendable, Equatable {
    public var symbol: String
    public var interval: String
    public var openTime: Int64
    public var closeTime: Int64
    public var firstTradeId: Int64
    public var lastTradeId: Int64
    public var open: VenueDecimal
    public var high: VenueDecimal
    public var low: VenueDecimal
    public var close: VenueDecimal
    public var volume: VenueDecimal
    public var quoteVolume: VenueDecimal
    public var trades: Int64

    /// The intervals the venue builds, with their lengths (the documented list up to a day).
    public static let intervals: [(String, Int64)] = [
        ("1s", 1_000), ("1m", 60_000), ("3m", 180_000), ("5m", 300_000), ("15m", 900_000), ("30m", 1_800_000),
        ("1h", 3_600_000), ("2h", 7_200_000), ("4h", 14_400_000), ("6h", 21_600_000), ("8h", 28_800_000),
        ("12h", 43_200_000), ("1d", 86_400_000),
    ]

    public static func length(of interval: String) -> Int64? { intervals.first { $0.0 == interval }?.1 }

    /// The stream event (`x`: whether the kline is closed).
    public func event(time: Int64, closed: Bool) -> JSONValue {
        [
            "e": "kline", "E": .int(time), "s": .string(symbol),
            "k": [
                "t": .int(openTime), "T": .int(closeTime), "s": .string(symbol), "i": .string(interval),
                "f": .int(firstTradeId), "L": .int(lastTradeId), "o": .decimal(open), "c": .decimal(close),
                "h": .decimal(high), "l": .decimal(low), "v": .decimal(volume), "n": .int(trades), "x": .bool(closed),
                "q": .decimal(quoteVolume), "V": "0", "Q": "0", "B": "0",
            ],
        ]
    }

    /// As `GET /api/v3/klines` lists it (rest-api.md "Kline/Candlestick data").
    public var row: JSONValue {
        [
            .int(openTime), .decimal(open), .decimal(high), .decimal(low), .decimal(close), .decimal(volume),
            .int(closeTime), .decimal(quoteVolume), .int(trades), "0", "0", "0",
        ]
    }
}
