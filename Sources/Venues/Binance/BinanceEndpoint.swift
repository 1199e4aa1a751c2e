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

    /// The endpoint a job spec or a command names: `production`, `testnet`, `local:PORT` (the fake
    /// venue on this machine), or a base URL serving REST at its root and the WebSocket API and
    /// streams under it (`http://host:port`, `https://host`). Nil for anything else.
    public static func named(_ text: String) -> BinanceEndpoint? {
        switch text {
        case "production": return .production
        case "testnet": return .testnet
        default:
            if text.hasPrefix("local:"), let port = Int(text.dropFirst(6)), (1...65_535).contains(port) {
                return .local(port: port)
            }
            var base = text
            while base.hasSuffix("/") { base.removeLast() }
            let ws: String
            if base.hasPrefix("https://") {
                ws = "wss://" + base.dropFirst(8)
            } else if base.hasPrefix("http://") {
                ws = "ws://" + base.dropFirst(7)
            } else {
                return nil
            }
            return BinanceEndpoint(rest: base, webSocketAPI: ws + "/ws-api/v3", streams: ws)
        }
    }

    /// The fake venue (`ats-venue`) on this machine.
    public static func local(port: Int, host: String = "127.0.0.1") -> BinanceEndpoint {
        BinanceEndpoint(
            rest: "http://\(host):\(port)", webSocketAPI: "ws://\(host):\(port)/ws-api/v3",
            streams: "ws://\(host):\(port)")
    }
}
