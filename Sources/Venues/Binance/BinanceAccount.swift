import Foundation

/// The account endpoints' answers (rest-api.md "Account information", "Account trade list",
/// "Exchange information"), read in decimal.
public enum BinanceAccount {
    public struct Balance: Sendable, Equatable, Decodable {
        public var asset: String
        public var free: VenueDecimal
        public var locked: VenueDecimal

        public init(asset: String, free: VenueDecimal, locked: VenueDecimal) {
            self.asset = asset
            self.free = free
            self.locked = locked
        }
    }

    /// `GET /api/v3/account`'s balances.
    public static func balances(_ body: Data) throws -> [Balance] {
        struct Info: Decodable { var balances: [Balance] }
        return try JSONDecoder().decode(Info.self, from: body).balances
    }

    /// One of the account's trades (`GET /api/v3/myTrades`): the fact reconciliation folds in,
    /// keyed by symbol and id.
    public struct Trade: Sendable, Equatable, Decodable {
        public var symbol: String
        public var id: Int64
        public var orderId: Int64
        public var price: VenueDecimal
        public var qty: VenueDecimal
        public var quoteQty: VenueDecimal
        public var commission: VenueDecimal
        public var commissionAsset: String
        public var time: Int64
        public var isBuyer: Bool
        public var isMaker: Bool
    }

    public static func trades(_ body: Data) throws -> [Trade] { try JSONDecoder().decode([Trade].self, from: body) }

    /// What a connector needs of `exchangeInfo`: one symbol's filters and the rate limits.
    public struct ExchangeInfo: Sendable {
        public var filters: SymbolFilters
        public var limits: [RateLimiter.Limit]
        public var serverTimeMs: Int64?
    }

    public enum ExchangeInfoError: Error, Equatable, CustomStringConvertible {
        case unknownSymbol(String)
        public var description: String {
            switch self {
            case .unknownSymbol(let s): "exchangeInfo lists no symbol \(s)"
            }
        }
    }

    public static func exchangeInfo(_ body: Data, symbol: String) throws -> ExchangeInfo {
        guard let root = try JSONSerialization.jsonObject(with: body) as? [String: Any],
            let symbols = root["symbols"] as? [[String: Any]],
            let entry = symbols.first(where: { $0["symbol"] as? String == symbol })
        else { throw ExchangeInfoError.unknownSymbol(symbol) }
        let filters = try SymbolFilters(exchangeInfoSymbol: try JSONSerialization.data(withJSONObject: entry))
        var limits: [RateLimiter.Limit] = []
        for l in root["rateLimits"] as? [[String: Any]] ?? [] {
            guard let type = l["rateLimitType"] as? String, let kind = RateLimiter.Kind(rawValue: type),
                let interval = l["interval"] as? String, let num = (l["intervalNum"] as? NSNumber)?.intValue,
                let limit = (l["limit"] as? NSNumber)?.intValue,
                let parsed = RateLimiter.Limit(kind: kind, interval: interval, intervalNum: num, limit: limit)
            else { continue }
            limits.append(parsed)
        }
        return ExchangeInfo(
            filters: filters, limits: limits, serverTimeMs: (root["serverTime"] as? NSNumber)?.int64Value)
    }
}
