/// A live market a paper (or, later, live) job trades on instead of a data file: a venue, where
/// it is, a symbol and a candle interval. The job trades on each closed candle.
///
/// ```json
/// "market": {"venue": "binance", "endpoint": "testnet", "symbol": "BTCUSDT", "interval": "1m"}
/// ```
public struct MarketSource: Sendable, Hashable, Codable {
    public var venue: String
    /// `production`, `testnet`, `local:PORT` (the fake venue on the worker's machine), or a base
    /// URL (`http://host:port`, `https://host`) serving the venue's REST and streams.
    public var endpoint: String
    public var symbol: String
    public var interval: String

    public init(venue: String = "binance", endpoint: String, symbol: String, interval: String) {
        self.venue = venue
        self.endpoint = endpoint
        self.symbol = symbol
        self.interval = interval
    }

    public static let venues = ["binance"]
    /// The candle intervals Binance streams (web-socket-streams.md), up to a week.
    public static let intervals = [
        "1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w",
    ]

    /// Why this cannot name a market, with the field; nil when it can.
    public func problem() -> (field: String, reason: String)? {
        guard Self.venues.contains(venue) else {
            return ("market.venue", "must be one of \(Self.venues.joined(separator: ", ")), got \"\(venue)\"")
        }
        let localPort = endpoint.hasPrefix("local:") ? Int(endpoint.dropFirst(6)) : nil
        let isURL = endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")
        guard
            ["production", "testnet"].contains(endpoint) || (localPort.map { (1...65_535).contains($0) } ?? false)
                || (isURL && !endpoint.contains(where: { $0 == " " || $0 == "?" || $0 == "#" }))
        else {
            return (
                "market.endpoint",
                "must be production, testnet, local:PORT or an http(s) base URL, got \"\(endpoint)\""
            )
        }
        guard (1...20).contains(symbol.count), symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) })
        else { return ("market.symbol", "must be the venue's symbol in capitals, like BTCUSDT, got \"\(symbol)\"") }
        guard Self.intervals.contains(interval) else {
            return ("market.interval", "must be one of \(Self.intervals.joined(separator: ", ")), got \"\(interval)\"")
        }
        return nil
    }
}
