import Foundation

/// A symbol's trading rules from `GET /api/v3/exchangeInfo` (docs: filters.md), applied in decimal
/// arithmetic before anything is sent: a quantity is rounded down to its step, a limit price to
/// its tick (a buy's down, a sell's up, never worse than asked), then every enabled rule is
/// checked, and an order that fails one is refused here with the venue's own code and message
/// (-1013 "Filter failure: …") instead of being sent to fail there.
public struct SymbolFilters: Sendable, Equatable {
    /// minimum, maximum and step; a zero disables that part (PRICE_FILTER allows it).
    public struct Bounds: Sendable, Equatable {
        public var minimum: VenueDecimal
        public var maximum: VenueDecimal
        public var step: VenueDecimal
    }

    public struct Notional: Sendable, Equatable {
        public var minimum: VenueDecimal?
        public var maximum: VenueDecimal?
        public var minimumAppliesToMarket: Bool
        public var maximumAppliesToMarket: Bool
    }

    public var symbol: String
    public var price: Bounds?
    public var lot: Bounds?
    public var marketLot: Bounds?
    public var notional: Notional?

    public enum Side: String, Sendable { case buy = "BUY", sell = "SELL" }

    /// An order fitted to the rules: what goes on the wire.
    public struct Fitted: Sendable, Equatable {
        public var quantity: VenueDecimal
        public var price: VenueDecimal?

        public init(quantity: VenueDecimal, price: VenueDecimal?) {
            self.quantity = quantity
            self.price = price
        }
    }

    /// The venue's rejection, said before sending.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var code: Int
        public var message: String
        public var description: String { "\(code) \(message)" }

        public init(code: Int, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// Reads one entry of `exchangeInfo`'s `symbols` (a JSON object); unknown filters are ignored.
    public init(exchangeInfoSymbol json: Data) throws {
        struct Entry: Decodable {
            var symbol: String
            var filters: [[String: FilterValue]]
        }
        let entry = try JSONDecoder().decode(Entry.self, from: json)
        symbol = entry.symbol
        func decimal(_ f: [String: FilterValue], _ key: String) throws -> VenueDecimal {
            guard case .text(let t)? = f[key], let d = VenueDecimal(t) else {
                throw Failure(code: -1013, message: "exchangeInfo \(entry.symbol): \(key) is not a decimal")
            }
            return d
        }
        // LOT_SIZE and MARKET_LOT_SIZE have the same fields.
        func quantityBounds(_ f: [String: FilterValue]) throws -> Bounds {
            Bounds(
                minimum: try decimal(f, "minQty"), maximum: try decimal(f, "maxQty"), step: try decimal(f, "stepSize"))
        }
        func flag(_ f: [String: FilterValue], _ key: String) -> Bool {
            if case .flag(let b)? = f[key] { b } else { false }
        }
        for f in entry.filters {
            guard case .text(let type)? = f["filterType"] else { continue }
            switch type {
            case "PRICE_FILTER":
                price = Bounds(
                    minimum: try decimal(f, "minPrice"), maximum: try decimal(f, "maxPrice"),
                    step: try decimal(f, "tickSize"))
            case "LOT_SIZE":
                lot = try quantityBounds(f)
            case "MARKET_LOT_SIZE":
                marketLot = try quantityBounds(f)
            case "MIN_NOTIONAL":
                notional = Notional(
                    minimum: try decimal(f, "minNotional"), maximum: nil,
                    minimumAppliesToMarket: flag(f, "applyToMarket"), maximumAppliesToMarket: false)
            case "NOTIONAL":
                notional = Notional(
                    minimum: try decimal(f, "minNotional"), maximum: try decimal(f, "maxNotional"),
                    minimumAppliesToMarket: flag(f, "applyMinToMarket"),
                    maximumAppliesToMarket: flag(f, "applyMaxToMarket"))
            default:
                continue
            }
        }
    }

    /// Fits a limit order (with `price`) or a market order (without; `marketPrice` is the price its
    /// notional is judged at, as the venue uses its recent average) to the rules, or says which
    /// rule it breaks.
    public func fit(
        side: Side, quantity: VenueDecimal, price: VenueDecimal?, marketPrice: VenueDecimal? = nil
    ) -> Result<Fitted, Failure> {
        let market = price == nil
        var quantity = quantity
        // A market order's quantity steps by MARKET_LOT_SIZE when it has a step, else by LOT_SIZE;
        // LOT_SIZE's bounds apply to every order, MARKET_LOT_SIZE's to market orders too.
        let step = (market ? marketLot.map(\.step).flatMap { $0 > .zero ? $0 : nil } : nil) ?? lot?.step
        if let step, step > .zero { quantity = quantity.roundedDown(toMultipleOf: step) }
        for (name, bounds) in [("LOT_SIZE", lot), ("MARKET_LOT_SIZE", market ? marketLot : nil)] {
            guard let b = bounds else { continue }
            if quantity < b.minimum || (b.maximum > .zero && quantity > b.maximum) {
                return .failure(Failure(code: -1013, message: "Filter failure: \(name)"))
            }
        }
        guard quantity > .zero else { return .failure(Failure(code: -1013, message: "Filter failure: LOT_SIZE")) }
        var fittedPrice = price
        if var p = price, let rule = self.price {
            if rule.step > .zero { p = p.rounded(toMultipleOf: rule.step, up: side == .sell) }
            if (rule.minimum > .zero && p < rule.minimum) || (rule.maximum > .zero && p > rule.maximum) || p <= .zero {
                return .failure(Failure(code: -1013, message: "Filter failure: PRICE_FILTER"))
            }
            fittedPrice = p
        }
        if let n = notional, let at = fittedPrice ?? marketPrice {
            let value = at * quantity
            let checkMin = !market || n.minimumAppliesToMarket
            let checkMax = !market || n.maximumAppliesToMarket
            let name = n.maximum == nil ? "MIN_NOTIONAL" : "NOTIONAL"
            if checkMin, let m = n.minimum, value < m {
                return .failure(Failure(code: -1013, message: "Filter failure: \(name)"))
            }
            if checkMax, let m = n.maximum, m > .zero, value > m {
                return .failure(Failure(code: -1013, message: "Filter failure: \(name)"))
            }
        }
        return .success(Fitted(quantity: quantity, price: fittedPrice))
    }
}

/// A filter field: exchangeInfo writes decimals as strings, flags as booleans, counts as numbers.
enum FilterValue: Decodable, Sendable {
    case text(String)
    case flag(Bool)
    case number(Double)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .flag(b)
        } else if let s = try? c.decode(String.self) {
            self = .text(s)
        } else {
            self = .number(try c.decode(Double.self))
        }
    }
}
