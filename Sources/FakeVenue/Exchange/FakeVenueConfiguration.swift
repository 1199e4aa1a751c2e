import ATSVenues
import Foundation

/// What the fake venue serves: its symbols with their filters, its accounts with their keys and
/// starting balances, its fees and limits. Read from a JSON file (`ats-venue --config`); every
/// field has a default (BTCUSDT at 50,000, no accounts), so a file names only what it needs:
/// `{"accounts": [{"name": "demo", "apiKey": "…", "hmacSecret": "…", "balances": {"USDT": "10000"}}]}`.
public struct FakeVenueConfiguration: Sendable, Codable, Equatable {
    public struct Symbol: Sendable, Codable, Equatable {
        public var symbol: String
        public var baseAsset: String
        public var quoteAsset: String
        /// PRICE_FILTER's tick, LOT_SIZE's bounds and step, NOTIONAL's minimum (filters.md).
        public var tickSize: VenueDecimal
        public var stepSize: VenueDecimal
        public var minQty: VenueDecimal
        public var maxQty: VenueDecimal
        public var minNotional: VenueDecimal
        /// The last trade price the venue starts from.
        public var price: VenueDecimal

        public init(
            symbol: String = "BTCUSDT", baseAsset: String = "BTC", quoteAsset: String = "USDT",
            tickSize: VenueDecimal = VenueDecimal("0.01")!, stepSize: VenueDecimal = VenueDecimal("0.00001")!,
            minQty: VenueDecimal = VenueDecimal("0.00001")!, maxQty: VenueDecimal = VenueDecimal("9000")!,
            minNotional: VenueDecimal = VenueDecimal("5")!, price: VenueDecimal = VenueDecimal("50000")!
        ) {
            self.symbol = symbol
            self.baseAsset = baseAsset
            self.quoteAsset = quoteAsset
            self.tickSize = tickSize
            self.stepSize = stepSize
            self.minQty = minQty
            self.maxQty = maxQty
            self.minNotional = minNotional
            self.price = price
        }

        enum CodingKeys: String, CodingKey {
            case symbol, baseAsset, quoteAsset, tickSize, stepSize, minQty, maxQty, minNotional, price
        }

        /// Every field but the symbol's name has a default (BTCUSDT's).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Symbol()
            symbol = try c.decode(String.self, forKey: .symbol)
            baseAsset = try c.decodeIfPresent(String.self, forKey: .baseAsset) ?? d.baseAsset
            quoteAsset = try c.decodeIfPresent(String.self, forKey: .quoteAsset) ?? d.quoteAsset
            tickSize = try c.decodeIfPresent(VenueDecimal.self, forKey: .tickSize) ?? d.tickSize
            stepSize = try c.decodeIfPresent(VenueDecimal.self, forKey: .stepSize) ?? d.stepSize
            minQty = try c.decodeIfPresent(VenueDecimal.self, forKey: .minQty) ?? d.minQty
            maxQty = try c.decodeIfPresent(VenueDecimal.self, forKey: .maxQty) ?? d.maxQty
            minNotional = try c.decodeIfPresent(VenueDecimal.self, forKey: .minNotional) ?? d.minNotional
            price = try c.decodeIfPresent(VenueDecimal.self, forKey: .price) ?? d.price
        }
    }

    public struct Account: Sendable, Codable, Equatable {
        public var name: String
        public var apiKey: String
        /// An HMAC key's secret, or an Ed25519 key's public half (32 raw bytes, base64).
        public var hmacSecret: String?
        public var ed25519PublicKey: String?
        /// Starting balances (free), by asset; an account reset restores them.
        public var balances: [String: VenueDecimal]

        public init(
            name: String, apiKey: String, hmacSecret: String? = nil, ed25519PublicKey: String? = nil,
            balances: [String: VenueDecimal]
        ) {
            self.name = name
            self.apiKey = apiKey
            self.hmacSecret = hmacSecret
            self.ed25519PublicKey = ed25519PublicKey
            self.balances = balances
        }
    }

    public var symbols: [Symbol]
    public var accounts: [Account]
    /// Commission rates (0.001 is 0.1%), charged in the asset received.
    public var makerCommission: VenueDecimal
    public var takerCommission: VenueDecimal
    /// exchangeInfo's rateLimits: request weight per minute, orders per 10 s and per day.
    public var weightPerMinute: Int
    public var ordersPer10s: Int
    public var ordersPerDay: Int
    /// How long a 418 ban lasts, and how many requests during a 429 back-off earn one.
    public var banSeconds: Int
    public var violationsBeforeBan: Int
    /// The WebSocket server's ping period (Binance: 20 s).
    public var pingSeconds: Int

    public init(
        symbols: [Symbol] = [Symbol()], accounts: [Account] = [],
        makerCommission: VenueDecimal = VenueDecimal("0.001")!, takerCommission: VenueDecimal = VenueDecimal("0.001")!,
        weightPerMinute: Int = 6_000, ordersPer10s: Int = 100, ordersPerDay: Int = 200_000, banSeconds: Int = 120,
        violationsBeforeBan: Int = 3, pingSeconds: Int = 20
    ) {
        self.symbols = symbols
        self.accounts = accounts
        self.makerCommission = makerCommission
        self.takerCommission = takerCommission
        self.weightPerMinute = weightPerMinute
        self.ordersPer10s = ordersPer10s
        self.ordersPerDay = ordersPerDay
        self.banSeconds = banSeconds
        self.violationsBeforeBan = violationsBeforeBan
        self.pingSeconds = pingSeconds
    }

    enum CodingKeys: String, CodingKey {
        case symbols, accounts, makerCommission, takerCommission, weightPerMinute, ordersPer10s, ordersPerDay
        case banSeconds, violationsBeforeBan, pingSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FakeVenueConfiguration()
        symbols = try c.decodeIfPresent([Symbol].self, forKey: .symbols) ?? d.symbols
        accounts = try c.decodeIfPresent([Account].self, forKey: .accounts) ?? []
        makerCommission = try c.decodeIfPresent(VenueDecimal.self, forKey: .makerCommission) ?? d.makerCommission
        takerCommission = try c.decodeIfPresent(VenueDecimal.self, forKey: .takerCommission) ?? d.takerCommission
        weightPerMinute = try c.decodeIfPresent(Int.self, forKey: .weightPerMinute) ?? d.weightPerMinute
        ordersPer10s = try c.decodeIfPresent(Int.self, forKey: .ordersPer10s) ?? d.ordersPer10s
        ordersPerDay = try c.decodeIfPresent(Int.self, forKey: .ordersPerDay) ?? d.ordersPerDay
        banSeconds = try c.decodeIfPresent(Int.self, forKey: .banSeconds) ?? d.banSeconds
        violationsBeforeBan = try c.decodeIfPresent(Int.self, forKey: .violationsBeforeBan) ?? d.violationsBeforeBan
        pingSeconds = try c.decodeIfPresent(Int.self, forKey: .pingSeconds) ?? d.pingSeconds
    }
}
