/// Where a venue's APIs are: REST, the WebSocket API (user data streams), market streams. The
/// same connector trades the real exchange, its spot testnet or the fake venue by this alone.
public struct BinanceEndpoint: Sendable, Equatable, Codable {
    public var rest: String
    public var webSocketAPI: String
    public var streams: String

    public init(rest: String, webSocketAPI: String, streams: String) {
        self.rest = rest
        self.webSocketAPI = webSocketAPI
        self.streams = streams
    }

    /// rest-api.md "General API Information"; web-socket-api.md; web-socket-streams.md.
    public static let production = BinanceEndpoint(
        rest: "https://api.binance.com", webSocketAPI: "wss://ws-api.binance.com:443/ws-api/v3",
        streams: "wss://stream.binance.com:9443")
    public static let testnet = BinanceEndpoint(
        rest: "https://testnet.binance.vision", webSocketAPI: "wss://ws-api.testnet.binance.vision/ws-api/v3",
        streams: "wss://stream.testnet.binance.vision")

    /// The fake venue (`ats-venue`) on this machine.
    public static func local(port: Int, host: String = "127.0.0.1") -> BinanceEndpoint {
        BinanceEndpoint(
            rest: "http://\(host):\(port)", webSocketAPI: "ws://\(host):\(port)/ws-api/v3",
            streams: "ws://\(host):\(port)")
    }
}
