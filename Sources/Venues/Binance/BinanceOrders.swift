import Foundation

/// The order endpoints' requests and answers (rest-api.md "New order (TRADE)", errors.md,
/// user-data-stream.md "Order Update"): what the connector sends, in decimal, and what it reads back.
public enum BinanceOrders {
    public enum OrderType: String, Sendable, Codable {
        case limit = "LIMIT", market = "MARKET", limitMaker = "LIMIT_MAKER"
        case stopLoss = "STOP_LOSS", stopLossLimit = "STOP_LOSS_LIMIT"
        case takeProfit = "TAKE_PROFIT", takeProfitLimit = "TAKE_PROFIT_LIMIT"
    }

    public enum TimeInForce: String, Sendable, Codable { case gtc = "GTC", ioc = "IOC", fok = "FOK" }

    /// `POST /api/v3/order`'s parameters, in a fixed order (the bytes signed are the bytes sent),
    /// with the full response asked for (its fills carry trade ids).
    public static func newOrder(
        symbol: String, side: SymbolFilters.Side, type: OrderType, timeInForce: TimeInForce?,
        fitted: SymbolFilters.Fitted, clientOrderId: ClientOrderId, timestampMs: Int64, recvWindowMs: Int64,
        stopPrice: VenueDecimal? = nil
    ) -> [(String, String)] {
        var p: [(String, String)] = [("symbol", symbol), ("side", side.rawValue), ("type", type.rawValue)]
        if let timeInForce { p.append(("timeInForce", timeInForce.rawValue)) }
        p.append(("quantity", fitted.quantity.description))
        if let price = fitted.price { p.append(("price", price.description)) }
        // A STOP_LOSS's trigger (rest-api.md: it executes a MARKET order when the price reaches it).
        if let stopPrice { p.append(("stopPrice", stopPrice.description)) }
        p += [
            ("newClientOrderId", clientOrderId.description), ("newOrderRespType", "FULL"),
            ("recvWindow", String(recvWindowMs)), ("timestamp", String(timestampMs)),
        ]
        return p
    }

    /// `POST /api/v3/orderList/oco`'s parameters (rest-api.md "New Order list - OCO"), in a fixed
    /// order: a take-profit `LIMIT_MAKER` at `limitPrice` and a `STOP_LOSS` at `stopPrice`, both
    /// on `side` for `quantity` — for a sell the limit is the above leg and the stop the below
    /// one, for a buy the other way round — each with its own client order id, and the list's.
    public static func newOCO(
        symbol: String, side: SymbolFilters.Side, quantity: VenueDecimal, limitPrice: VenueDecimal,
        limitClientOrderId: ClientOrderId, stopPrice: VenueDecimal, stopClientOrderId: ClientOrderId,
        timestampMs: Int64, recvWindowMs: Int64
    ) -> [(String, String)] {
        let limit: [(String, String)] = [
            ("Type", OrderType.limitMaker.rawValue), ("ClientOrderId", limitClientOrderId.description),
            ("Price", limitPrice.description),
        ]
        let stop: [(String, String)] = [
            ("Type", OrderType.stopLoss.rawValue), ("ClientOrderId", stopClientOrderId.description),
            ("StopPrice", stopPrice.description),
        ]
        let (above, below) = side == .sell ? (limit, stop) : (stop, limit)
        var p: [(String, String)] = [
            ("symbol", symbol), ("listClientOrderId", limitClientOrderId.listClientOrderId),
            ("side", side.rawValue), ("quantity", quantity.description),
        ]
        for (name, value) in above { p.append(("above" + name, value)) }
        for (name, value) in below { p.append(("below" + name, value)) }
        p.append(("newOrderRespType", "FULL"))
        p.append(("recvWindow", String(recvWindowMs)))
        p.append(("timestamp", String(timestampMs)))
        return p
    }

    /// An order list's answer (rest-api.md "New Order list - OCO", "Query Order list"): its
    /// orders, and their reports when it was just placed.
    public struct OrderList: Sendable, Equatable, Decodable {
        public struct Member: Sendable, Equatable, Decodable {
            public var symbol: String
            public var orderId: Int64
            public var clientOrderId: String
        }

        public var orderListId: Int64
        public var contingencyType: String
        public var listStatusType: String
        public var listOrderStatus: String
        public var listClientOrderId: String
        public var transactionTime: Int64
        public var symbol: String
        public var orders: [Member]
        public var orderReports: [Order]?
    }

    /// What an HTTP answer to a new order list means for its ``OrderIntent`` (the list is placed
    /// whole or not at all): accepted with the venue id of the order `clientOrderId` names, an
    /// error with the venue's code, or nothing usable.
    public static func listResponse(status: Int, body: Data, clientOrderId: ClientOrderId) -> (
        OrderIntent.Response, OrderList?
    ) {
        let decoder = JSONDecoder()
        if (200..<300).contains(status), let list = try? decoder.decode(OrderList.self, from: body),
            let mine = list.orders.first(where: { $0.clientOrderId == clientOrderId.description })
        {
            return (.accepted(venueOrderId: mine.orderId), list)
        }
        if status < 500, let error = try? decoder.decode(VenueError.self, from: body) {
            return (.error(httpStatus: status, code: error.code, message: error.msg), nil)
        }
        return (.noAnswer, nil)
    }

    /// `GET /api/v3/order` by client order id: how an unknown outcome is resolved.
    public static func queryOrder(symbol: String, clientOrderId: ClientOrderId, timestampMs: Int64, recvWindowMs: Int64)
        -> [(String, String)]
    {
        [
            ("symbol", symbol), ("origClientOrderId", clientOrderId.description), ("recvWindow", String(recvWindowMs)),
            ("timestamp", String(timestampMs)),
        ]
    }

    /// One execution in a FULL response.
    public struct Trade: Sendable, Equatable, Codable {
        public var price: VenueDecimal
        public var qty: VenueDecimal
        public var commission: VenueDecimal
        public var commissionAsset: String
        public var tradeId: Int64
    }

    /// A new order's (or a query's) answer.
    public struct Order: Sendable, Equatable, Decodable {
        public var symbol: String
        public var orderId: Int64
        public var clientOrderId: String
        public var status: String
        public var executedQty: VenueDecimal
        public var origQty: VenueDecimal
        public var cummulativeQuoteQty: VenueDecimal
        public var transactTime: Int64?
        public var fills: [Trade]
        /// `BUY` or `SELL`, the type and the limit price (`0` for market orders): in every order
        /// answer but ACK's; reconciliation reads them to adopt an order it did not know.
        public var side: String?
        public var type: String?
        public var price: VenueDecimal?
        /// A stop's trigger (`STOP_LOSS`, an OCO's stop leg); absent or 0 for the others.
        public var stopPrice: VenueDecimal?

        enum CodingKeys: String, CodingKey {
            case symbol, orderId, clientOrderId, status, executedQty, origQty, cummulativeQuoteQty, transactTime, fills
            case side, type, price, stopPrice
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            symbol = try c.decode(String.self, forKey: .symbol)
            orderId = try c.decode(Int64.self, forKey: .orderId)
            clientOrderId = try c.decode(String.self, forKey: .clientOrderId)
            status = try c.decode(String.self, forKey: .status)
            executedQty = try c.decode(VenueDecimal.self, forKey: .executedQty)
            origQty = try c.decode(VenueDecimal.self, forKey: .origQty)
            cummulativeQuoteQty = try c.decode(VenueDecimal.self, forKey: .cummulativeQuoteQty)
            transactTime = try c.decodeIfPresent(Int64.self, forKey: .transactTime)
            fills = try c.decodeIfPresent([Trade].self, forKey: .fills) ?? []
            side = try c.decodeIfPresent(String.self, forKey: .side)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            price = try c.decodeIfPresent(VenueDecimal.self, forKey: .price)
            stopPrice = try c.decodeIfPresent(VenueDecimal.self, forKey: .stopPrice)
        }

        /// Still able to fill (rest-api.md "Order status": NEW, PARTIALLY_FILLED, PENDING_NEW).
        public var isWorking: Bool { ["NEW", "PARTIALLY_FILLED", "PENDING_NEW"].contains(status) }
    }

    /// An error answer: `{"code": -2010, "msg": "..."}`.
    public struct VenueError: Error, Sendable, Equatable, Decodable, CustomStringConvertible {
        public var code: Int
        public var msg: String
        public var description: String { "\(code) \(msg)" }
    }

    /// Whether a refusal says the market is already past the order's price (errors.md, -2010
    /// NEW_ORDER_REJECTED): a stop that would trigger at once, a `LIMIT_MAKER` that would take, an
    /// OCO list whose prices are not on either side of the last traded price.
    public static func refusedAsMarketIsPast(code: Int, message: String) -> Bool {
        code == -2010
            && [
                "Order would trigger immediately.", "Order would immediately match and take.",
                "The relationship of the prices for the orders is not correct.",
            ].contains(message)
    }

    /// What an HTTP answer to a new order means for its ``OrderIntent``: accepted with the order,
    /// an error with the venue's code (definitive or not is the intent's to judge), or nothing
    /// usable (a 5xx or a body that is neither: the outcome is unknown).
    public static func response(status: Int, body: Data) -> (OrderIntent.Response, Order?) {
        let decoder = JSONDecoder()
        if (200..<300).contains(status), let order = try? decoder.decode(Order.self, from: body) {
            return (.accepted(venueOrderId: order.orderId), order)
        }
        if status < 500, let error = try? decoder.decode(VenueError.self, from: body) {
            return (.error(httpStatus: status, code: error.code, message: error.msg), nil)
        }
        return (.noAnswer, nil)
    }

    /// `executionReport` from the user data stream: an order's update, and its execution if any.
    public struct ExecutionReport: Sendable, Equatable, Decodable {
        public var eventTime: Int64
        public var symbol: String
        public var clientOrderId: String
        /// On a cancel, the id of the order canceled (`C`).
        public var originalClientOrderId: String
        public var side: String
        public var executionType: String
        public var status: String
        public var rejectReason: String
        public var orderId: Int64
        public var lastQuantity: VenueDecimal
        public var cumulativeQuantity: VenueDecimal
        public var lastPrice: VenueDecimal
        public var commission: VenueDecimal
        public var commissionAsset: String?
        public var transactionTime: Int64
        /// -1 when the update is not a trade.
        public var tradeId: Int64
        public var isMaker: Bool

        enum CodingKeys: String, CodingKey {
            case eventTime = "E", symbol = "s", clientOrderId = "c", originalClientOrderId = "C", side = "S"
            case executionType = "x", status = "X", rejectReason = "r", orderId = "i", lastQuantity = "l"
            case cumulativeQuantity = "z", lastPrice = "L", commission = "n", commissionAsset = "N"
            case transactionTime = "T", tradeId = "t", isMaker = "m"
        }

        /// The job's order this report is about (the canceled one's id on a cancel), if it is one.
        public var jobOrder: ClientOrderId? {
            ClientOrderId(
                executionType == "CANCELED" && !originalClientOrderId.isEmpty ? originalClientOrderId : clientOrderId)
        }

        /// A trade: an execution with its venue trade id (the key that makes a fill a fact once).
        public var isTrade: Bool { executionType == "TRADE" && tradeId >= 0 }
    }

    /// One event of the user data stream as the WebSocket API delivers it
    /// (`{"subscriptionId": 0, "event": {...}}`). Events of other kinds are kept by name and
    /// ignored, never fatal (a peer's stream died on an unknown event).
    public enum UserDataEvent: Sendable, Equatable {
        case executionReport(ExecutionReport)
        case other(String)

        public static func decode(_ data: Data) throws -> UserDataEvent {
            struct Envelope<E: Decodable>: Decodable { var event: E }
            struct Kind: Decodable { var e: String }
            let decoder = JSONDecoder()
            let kind = try decoder.decode(Envelope<Kind>.self, from: data).event.e
            switch kind {
            case "executionReport":
                return .executionReport(try decoder.decode(Envelope<ExecutionReport>.self, from: data).event)
            default: return .other(kind)
            }
        }
    }
}
