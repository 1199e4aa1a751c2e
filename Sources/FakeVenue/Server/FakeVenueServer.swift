import ATSVenues
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The fake venue's endpoints over HTTP and WebSocket on loopback: Binance spot's documented REST
/// subset under `/api/v3`, the WebSocket API at `/ws-api/v3` (`session.logon`,
/// `userDataStream.subscribe[.signature]`, `ping`, `time`), market streams at `/ws/<stream>` and
/// `/stream?streams=`, and its own control endpoints under `/_fake` (faults, prices, the orders
/// it holds), which no real venue has.
public struct FakeVenueServer: Sendable {
    public let venue: FakeVenue
    public let host: String
    public let port: Int
    let logger: Logger

    public init(venue: FakeVenue, host: String = "127.0.0.1", port: Int, logger: Logger) {
        self.venue = venue
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Serves until cancelled; `onBound` gets the port (useful with port 0).
    public func run(onBound: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let ping = venue.configuration.pingSeconds
        let app = Application(
            router: router(),
            server: .http1WebSocketUpgrade(
                webSocketRouter: webSocketRouter(),
                configuration: .init(ws: .init(autoPing: .enabled(timePeriod: .seconds(ping))))),
            configuration: .init(address: .hostname(host, port: port), serverName: "ats-venue"),
            onServerRunning: { channel in onBound(channel.localAddress?.port ?? 0) }, logger: logger)
        try await app.run()
    }

    // MARK: - REST

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let venue = self.venue
        router.get("/api/v3/ping") { request, _ in try await Self.rest(venue, request, weight: 1) { _, _ in (200, [:]) }
        }
        router.get("/api/v3/time") { request, _ in
            try await Self.rest(venue, request, weight: 1) { _, _ in (200, ["serverTime": .int(venue.nowMs())]) }
        }
        router.get("/api/v3/exchangeInfo") { request, _ in
            try await Self.rest(venue, request, weight: 20) { p, _ in
                if let s = p["symbol"], venue.configuration.symbols.allSatisfy({ $0.symbol != s }) {
                    throw FakeVenueError.badSymbol
                }
                return (200, venue.exchangeInfo(symbol: p["symbol"]))
            }
        }
        router.get("/api/v3/klines") { request, _ in
            try await Self.rest(venue, request, weight: 2) { p, _ in
                guard let symbol = p["symbol"] else { throw FakeVenueError.mandatory("symbol") }
                guard venue.exchange.symbol(symbol) != nil else { throw FakeVenueError.badSymbol }
                guard let interval = p["interval"], FakeKline.length(of: interval) != nil else {
                    throw FakeVenueError(code: -1120, msg: "Invalid interval.")
                }
                let limit = min(1_000, max(1, p["limit"].flatMap { Int($0) } ?? 500))
                let rows = venue.exchange.klines(
                    symbol: symbol, interval: interval, startTime: p["startTime"].flatMap { Int64($0) },
                    endTime: p["endTime"].flatMap { Int64($0) }, limit: limit)
                return (200, .array(rows.map(\.row)))
            }
        }
        router.get("/api/v3/aggTrades") { request, _ in
            try await Self.rest(venue, request, weight: 4) { p, _ in
                guard let symbol = p["symbol"] else { throw FakeVenueError.mandatory("symbol") }
                guard venue.exchange.symbol(symbol) != nil else { throw FakeVenueError.badSymbol }
                let limit = min(1_000, max(1, p["limit"].flatMap { Int($0) } ?? 500))
                let rows = venue.exchange.aggTrades(
                    symbol: symbol, fromId: p["fromId"].flatMap { Int64($0) },
                    startTime: p["startTime"].flatMap { Int64($0) }, endTime: p["endTime"].flatMap { Int64($0) },
                    limit: limit)
                return (200, .array(rows.map(\.json)))
            }
        }
        router.get("/api/v3/ticker/price") { request, _ in
            // One symbol's latest price (rest-api.md "Symbol price ticker"; the subset the connector uses).
            try await Self.rest(venue, request, weight: 2) { p, _ in
                guard let symbol = p["symbol"] else { throw FakeVenueError.mandatory("symbol") }
                guard let s = venue.exchange.symbol(symbol) else { throw FakeVenueError.badSymbol }
                let price = venue.lastPrice(symbol) ?? s.price
                return (200, .object([("symbol", .string(symbol)), ("price", .string(price.description))]))
            }
        }
        router.post("/api/v3/order") { request, _ in try await Self.newOrder(venue, request) }
        router.post("/api/v3/orderList/oco") { request, _ in try await Self.newOCO(venue, request) }
        router.get("/api/v3/orderList") { request, _ in
            try await Self.rest(venue, request, weight: 4, signed: true) { p, account in
                let id = p["orderListId"].flatMap { Int64($0) }
                let clientId = p["origClientOrderId"]
                guard id != nil || clientId != nil else {
                    throw FakeVenueError(
                        code: -1102,
                        msg: "Param 'origClientOrderId' or 'orderListId' must be sent, but both were empty/null!")
                }
                guard
                    let (list, legs) = venue.exchange.orderList(
                        account: account!, orderListId: id, listClientOrderId: clientId)
                else { throw FakeVenueError(code: -2013, msg: "Order does not exist.") }
                return (200, .object(list.json(orders: legs)))
            }
        }
        router.get("/api/v3/order") { request, _ in
            try await Self.rest(venue, request, weight: 4, signed: true) { p, account in
                guard let symbol = p["symbol"] else { throw FakeVenueError.mandatory("symbol") }
                let order = try venue.exchange.order(
                    account: account!, symbol: symbol, orderId: p["orderId"].flatMap { Int64($0) },
                    clientOrderId: p["origClientOrderId"]
                ).get()
                return (200, order.json(priceScale: 8, quantityScale: 8))
            }
        }
        router.delete("/api/v3/order") { request, _ in
            try await Self.rest(venue, request, weight: 1, signed: true) { p, account in
                guard let symbol = p["symbol"] else { throw FakeVenueError.mandatory("symbol") }
                let orderId = p["orderId"].flatMap { Int64($0) }
                let original = p["origClientOrderId"]
                guard orderId != nil || original != nil else {
                    throw FakeVenueError(
                        code: -1102,
                        msg: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
                }
                let now = venue.nowMs()
                let cancelId = p["newClientOrderId"] ?? "cancel-\(now)"
                let order = try venue.withExchange {
                    $0.cancel(
                        account: account!, symbol: symbol, orderId: orderId, clientOrderId: original,
                        cancelId: cancelId,
                        nowMs: now)
                }.get()
                var fields: [(String, JSONValue)] = [
                    ("symbol", .string(symbol)), ("origClientOrderId", .string(order.clientOrderId)),
                    ("orderId", .int(order.orderId)), ("orderListId", -1), ("clientOrderId", .string(cancelId)),
                    ("transactTime", .int(now)),
                ]
                if case .object(let rest) = order.json(priceScale: 8, quantityScale: 8) {
                    fields += rest.filter {
                        [
                            "price", "origQty", "executedQty", "cummulativeQuoteQty", "status", "timeInForce", "type",
                            "side",
                        ]
                        .contains($0.0)
                    }
                }
                return (200, .object(fields))
            }
        }
        router.get("/api/v3/openOrders") { request, _ in
            try await Self.rest(venue, request, weight: 6, signed: true) { p, account in
                let open = venue.exchange.openOrders(account: account!, symbol: p["symbol"])
                return (200, .array(open.map { $0.json(priceScale: 8, quantityScale: 8) }))
            }
        }
        router.get("/api/v3/account") { request, _ in
            try await Self.rest(venue, request, weight: 20, signed: true) { _, account in
                (200, venue.accountJSON(account!))
            }
        }
        router.get("/api/v3/myTrades") { request, _ in
            try await Self.rest(venue, request, weight: 20, signed: true) { p, account in
                guard let symbol = p["symbol"] else { throw FakeVenueError.mandatory("symbol") }
                guard venue.exchange.symbol(symbol) != nil else { throw FakeVenueError.badSymbol }
                let limit = min(1_000, max(1, p["limit"].flatMap { Int($0) } ?? 500))
                let trades = venue.exchange.accountTrades(
                    account: account!, symbol: symbol, fromId: p["fromId"].flatMap { Int64($0) },
                    orderId: p["orderId"].flatMap { Int64($0) }, limit: limit)
                return (200, .array(trades.map(\.json)))
            }
        }
        addControl(router)
        return router
    }

    /// `POST /api/v3/order`, where the order faults act.
    private static func newOrder(_ venue: FakeVenue, _ request: Request) async throws -> Response {
        try await rest(venue, request, weight: 1, signed: true, isOrder: true) { p, account in
            let now = venue.nowMs()
            let fault = venue.takeOrderFault(clientOrderId: p["newClientOrderId"])
            switch fault?.kind {
            case .unknownNotPlaced?:
                throw FakeVenueError.statusUnknown
            case .latePlacement?:
                let delay = fault?.delayMs ?? 1_000
                // Forwarded now (the window was checked on arrival); the engine gets to it later.
                Task {
                    try? await Task.sleep(for: .milliseconds(delay))
                    let late = venue.nowMs()
                    _ = venue.withExchange { $0.place(p, account: account!, nowMs: late) }
                }
                throw FakeVenueError.statusUnknown
            default: break
            }
            let placed = try venue.withExchange { $0.place(p, account: account!, nowMs: now) }.get()
            try await afterAccepting(fault)
            return (200, venue.newOrderJSON(placed, respType: p["newOrderRespType"]))
        }
    }

    /// The faults that act once an order (or list) is placed: its answer held, or a 5xx instead.
    private static func afterAccepting(_ fault: FakeFault?) async throws {
        switch fault?.kind {
        case .acceptThenTimeout?:
            try await Task.sleep(for: .milliseconds(fault?.delayMs ?? 15_000))
        case .error5xxAfterAccept?:
            throw FakeVenueError(status: 503, code: 0, msg: "")
        default: break
        }
    }

    /// `POST /api/v3/orderList/oco`: the order faults act on it as on a single order (keyed by
    /// its above leg's client id).
    private static func newOCO(_ venue: FakeVenue, _ request: Request) async throws -> Response {
        try await rest(venue, request, weight: 1, signed: true, isOrder: true) { p, account in
            let fault = venue.takeOrderFault(clientOrderId: p["aboveClientOrderId"])
            if fault?.kind == .unknownNotPlaced {
                throw FakeVenueError.statusUnknown
            }
            let now = venue.nowMs()
            let placed = try venue.withExchange { $0.placeOCO(p, account: account!, nowMs: now) }.get()
            try await afterAccepting(fault)
            let reports = placed.orders.map { o -> JSONValue in
                var fields = o.json(priceScale: 8, quantityScale: 8)
                if case .object(var f) = fields {
                    f.removeAll { ["time", "updateTime", "isWorking", "icebergQty"].contains($0.0) }
                    f.append(("transactTime", .int(o.time)))
                    fields = .object(f)
                }
                return fields
            }
            return (200, .object(placed.list.json(orders: placed.orders) + [("orderReports", .array(reports))]))
        }
    }

    /// One REST request: latency, rate limits, authentication for SIGNED endpoints, then `body`
    /// with the parameters and the account; the answer carries the usage headers.
    private static func rest(
        _ venue: FakeVenue, _ request: Request, weight: Int, signed: Bool = false, isOrder: Bool = false,
        _ body: @Sendable ([String: String], String?) async throws -> (Int, JSONValue)
    ) async throws -> Response {
        let latency = venue.latencyMs
        if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
        let raw = request.uri.query ?? ""
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let form = String(buffer: buffer)
        let (verdict, usage) = venue.admit(weight: weight, isOrder: isOrder)
        switch verdict {
        case .admitted: break
        case .tooMany(let retry, let code, let msg):
            return respond(
                429, ["code": .int(Int64(code)), "msg": .string(msg)], usage + [("Retry-After", String(retry))])
        case .banned(let retry):
            return respond(
                418,
                [
                    "code": -1003,
                    "msg": .string(
                        "Way too much request weight used; IP banned until \(venue.nowMs() + Int64(retry) * 1_000). Please use WebSocket Streams for live updates to avoid bans."
                    ),
                ],
                usage + [("Retry-After", String(retry))])
        }
        do {
            var params = RequestVerifier.parameters(rawQuery: raw, body: form)
            var account: String?
            if signed {
                let apiKey = request.headers[HTTPField.Name("X-MBX-APIKEY")!]
                let (a, p) = try venue.verifier.verifyREST(
                    apiKey: apiKey, rawQuery: raw, body: form, nowMs: venue.nowMs()
                )
                .get()
                account = a.name
                params = p
            }
            let (status, json) = try await body(params, account)
            return respond(status, json, usage)
        } catch {
            guard let error = error as? FakeVenueError else { throw error }
            if error.status >= 500 && error.code == 0 {
                return respond(error.status, text: "Service Unavailable", usage)
            }
            return respond(error.status, ["code": .int(Int64(error.code)), "msg": .string(error.msg)], usage)
        }
    }

    static func respond(_ status: Int, _ json: JSONValue, _ headers: [(String, String)]) -> Response {
        respond(status, text: json.rendered, headers, contentType: "application/json;charset=UTF-8")
    }

    static func respond(
        _ status: Int, text: String, _ headers: [(String, String)], contentType: String = "text/html"
    ) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return Response(
            status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: - Control (not Binance's)

    private func addControl(_ router: Router<BasicRequestContext>) {
        let venue = self.venue
        router.post("/_fake/faults") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            let decoder = JSONDecoder()
            let faults =
                try (try? decoder.decode([FakeFault].self, from: Data(buffer: body)))
                ?? [decoder.decode(FakeFault.self, from: Data(buffer: body))]
            for f in faults { venue.inject(f) }
            return Self.respond(200, ["injected": .int(Int64(faults.count))], [])
        }
        router.post("/_fake/price") { request, _ in
            struct Move: Decodable {
                var symbol: String
                var price: VenueDecimal
                var qty: VenueDecimal?
            }
            let body = try await request.body.collect(upTo: 1 << 16)
            let move = try JSONDecoder().decode(Move.self, from: Data(buffer: body))
            venue.tick(symbol: move.symbol, price: move.price, qty: move.qty)
            return Self.respond(200, ["price": .decimal(venue.exchange.lastPrice[move.symbol] ?? .zero)], [])
        }
        router.post("/_fake/walk") { request, _ in
            // `{"held": true}`: the price path trades no more until `{"held": false}`.
            struct Walk: Decodable { var held: Bool }
            let body = try await request.body.collect(upTo: 1 << 16)
            let walk = try JSONDecoder().decode(Walk.self, from: Data(buffer: body))
            venue.holdWalk(walk.held)
            return Self.respond(200, ["held": .bool(walk.held)], [])
        }
        router.get("/_fake/orders") { _, _ in
            let ex = venue.exchange
            let orders = ex.orders.map { o -> JSONValue in
                [
                    "account": .string(o.account), "symbol": .string(o.symbol), "orderId": .int(o.orderId),
                    "clientOrderId": .string(o.clientOrderId), "status": .string(o.status.rawValue),
                    "side": .string(o.side.rawValue),
                    "executedQty": .decimal(o.executedQty), "type": .string(o.type.rawValue),
                    "orderListId": .int(o.orderListId),
                ]
            }
            let placements = ex.placements.keys.sorted().map { ($0, JSONValue.int(Int64(ex.placements[$0]!))) }
            let hit = venue.faultedOrders
            let faulted = hit.keys.sorted().map { ($0, JSONValue.string(hit[$0]!.rawValue)) }
            return Self.respond(
                200,
                [
                    "orders": .array(orders), "placements": .object(placements), "faulted": .object(faulted),
                    "trades": .int(Int64(ex.trades.count)),
                ], [])
        }
        router.get("/_fake/balances") { request, _ in
            let account = request.uri.queryParameters.get("account") ?? ""
            let b = venue.exchange.balances[account] ?? [:]
            return Self.respond(
                200,
                .object(
                    b.keys.sorted().map {
                        ($0, ["free": .decimal(b[$0]!.free), "locked": .decimal(b[$0]!.locked)] as JSONValue)
                    }), [])
        }
    }
}
