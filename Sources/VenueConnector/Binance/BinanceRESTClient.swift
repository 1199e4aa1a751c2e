import ATSVenues
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOHTTP1

/// Binance spot's REST API: SIGNED requests with the signed bytes sent as signed, `timestamp`
/// on the venue's clock (tracked from `GET /api/v3/time`), requests paced under the venue's
/// limits (the usage headers read back, 429 and 418 obeyed). One client per venue account per
/// worker: its rate limiter is what every job of the worker shares, so a 418 halts them all.
/// Nothing here retries a request; order placement is ``OrderPlacer``'s, over ``OrderIntent``.
public final class BinanceRESTClient: Sendable {
    public let endpoint: BinanceEndpoint
    public let recvWindowMs: Int64
    let credentials: BinanceCredentials?
    let http: VenueHTTPClient
    let timeout: Duration
    let localClock: @Sendable () -> Int64
    let logger: Logger

    struct State: Sendable {
        var clock = ServerClock()
        var limiter = RateLimiter(limits: [])
        var requests = 0
    }
    private let state = NIOLockedValueBox(State())

    public init(
        endpoint: BinanceEndpoint, credentials: BinanceCredentials?, recvWindowMs: Int64 = 5_000,
        timeout: Duration = .seconds(10), logger: Logger,
        localClock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000) }
    ) throws {
        self.endpoint = endpoint
        self.credentials = credentials
        self.recvWindowMs = recvWindowMs
        self.timeout = timeout
        self.logger = logger
        self.localClock = localClock
        http = try VenueHTTPClient(baseURL: endpoint.rest)
    }

    /// The venue's time now, by the tracked offset.
    public func venueNowMs() -> Int64 { state.withLockedValue { $0.clock.venueTime(localMs: localClock()) } }

    public var clockOffsetMs: Int64 { state.withLockedValue { $0.clock.offsetMs } }

    /// Samples the venue's clock (`GET /api/v3/time`) `samples` times, keeping the tightest.
    @discardableResult
    public func syncClock(samples: Int = 3) async throws -> Int64 {
        struct Time: Decodable { var serverTime: Int64 }
        for _ in 0..<samples {
            let sent = localClock()
            let r = try await send(.GET, "/api/v3/time", [], weight: 1)
            let received = localClock()
            let t = try decode(Time.self, r)
            state.withLockedValue {
                $0.clock.observe(sentAtMs: sent, serverTimeMs: t.serverTime, receivedAtMs: received)
            }
        }
        return clockOffsetMs
    }

    /// One symbol's filters and the venue's rate limits (which the client then paces by).
    public func exchangeInfo(symbol: String) async throws -> BinanceAccount.ExchangeInfo {
        let r = try await send(.GET, "/api/v3/exchangeInfo", [("symbol", symbol)], weight: 20)
        let info = try BinanceAccount.exchangeInfo(Data(r.body), symbol: symbol)
        state.withLockedValue { $0.limiter = $0.limiter.withLimits(info.limits) }
        return info
    }

    // MARK: - Requests

    /// Waits until the limits let a request of `weight` go (a new order when `isOrder`) and
    /// counts it; throws `banned` during a 418 ban (nothing may go), and gives up waiting
    /// beyond `maximumWait`.
    public func admit(weight: Int, isOrder: Bool, maximumWait: Duration = .seconds(60)) async throws {
        let deadline = venueNowMs() + Int64(maximumWait / .milliseconds(1))
        while true {
            let now = venueNowMs()
            let decision = state.withLockedValue { $0.limiter.admit(weight: weight, isOrder: isOrder, nowMs: now) }
            switch decision {
            case .send: return
            case .banned(let until): throw VenueRequestError.banned(untilMs: until)
            case .wait(let until):
                guard until <= deadline else {
                    throw VenueRequestError.noAnswer("rate limited until \(until), beyond the wait allowed")
                }
                try await Task.sleep(for: .milliseconds(max(1, until - now)))
            }
        }
    }

    /// Sends one request as is (SIGNED ones signed, with the API key header) once, after the
    /// rate limiter admits it unless `admitted` says the caller already did. The answer's
    /// usage headers, 429 and 418 are recorded.
    /// Requests sent so far (a benchmark's count).
    public var requestCount: Int { state.withLockedValue { $0.requests } }

    public func send(
        _ method: HTTPMethod, _ path: String, _ params: [(String, String)], signed: Bool = false, weight: Int,
        isOrder: Bool = false, admitted: Bool = false, timed: Bool = false
    ) async throws -> VenueHTTPResponse {
        if !admitted { try await admit(weight: weight, isOrder: isOrder) }
        // The timestamp is taken after any wait for the limiter, or it could be stale on arrival.
        let params =
            timed ? params + [("recvWindow", String(recvWindowMs)), ("timestamp", String(venueNowMs()))] : params
        var headers: [(String, String)] = []
        let query: String
        if signed {
            guard let credentials else { throw VenueRequestError.noCredentials }
            headers.append(("X-MBX-APIKEY", credentials.apiKey))
            query = try credentials.signer.signedQuery(params)
        } else {
            query = BinanceSigner.query(params)
        }
        let target = query.isEmpty ? path : path + "?" + query
        state.withLockedValue { $0.requests += 1 }
        let response: VenueHTTPResponse
        do {
            response = try await http.execute(method: method, target: target, headers: headers, timeout: timeout)
        } catch {
            throw VenueRequestError.noAnswer(String(describing: error))
        }
        let now = venueNowMs()
        state.withLockedValue { $0.limiter.observed(status: response.status, headers: response.headers, nowMs: now) }
        if response.status == 418 {
            let until = state.withLockedValue { $0.limiter.bannedUntilMs }
            logger.error("the venue banned this address (418)", metadata: ["until_ms": "\(until)"])
        }
        return response
    }

    /// A 2xx answer decoded, or the venue's error.
    func decode<T: Decodable>(_ type: T.Type, _ r: VenueHTTPResponse) throws -> T {
        guard (200..<300).contains(r.status) else { throw failure(r) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(r.body))
        } catch {
            throw VenueRequestError.noAnswer("unreadable answer (HTTP \(r.status)): \(error)")
        }
    }

    func failure(_ r: VenueHTTPResponse) -> VenueRequestError {
        if r.status == 418 { return .banned(untilMs: state.withLockedValue { $0.limiter.bannedUntilMs }) }
        if r.status < 500, let e = try? JSONDecoder().decode(BinanceOrders.VenueError.self, from: Data(r.body)) {
            return .venue(status: r.status, code: e.code, message: e.msg)
        }
        return .noAnswer("HTTP \(r.status)")
    }

    /// After a -1021 the clock is sampled again before the next SIGNED request.
    func noteTimestampRejected() async {
        state.withLockedValue { $0.clock.invalidate() }
        _ = try? await syncClock(samples: 2)
    }

    // MARK: - Endpoints

    /// `GET /api/v3/order` by client order id (a "not found" proves nothing about requests still in
    /// flight when the query left: ``OrderPlacer`` notes that time).
    public func queryOrder(symbol: String, clientOrderId: ClientOrderId, admitted: Bool = false) async -> (
        OrderIntent.QueryResult, BinanceOrders.Order?
    ) {
        if !admitted {
            guard (try? await admit(weight: 4, isOrder: false)) != nil else { return (.failed, nil) }
        }
        let params = BinanceOrders.queryOrder(
            symbol: symbol, clientOrderId: clientOrderId, timestampMs: venueNowMs(), recvWindowMs: recvWindowMs)
        do {
            let r = try await send(.GET, "/api/v3/order", params, signed: true, weight: 4, admitted: true)
            if (200..<300).contains(r.status),
                let order = try? JSONDecoder().decode(BinanceOrders.Order.self, from: Data(r.body))
            {
                return (.found(venueOrderId: order.orderId), order)
            }
            if case .venue(_, let code, _) = failure(r) {
                if code == -2013 { return (.notFound, nil) }
                if code == -1021 { await noteTimestampRejected() }
            }
            return (.failed, nil)
        } catch {
            return (.failed, nil)
        }
    }

    /// An order by the venue's id (`GET /api/v3/order?orderId=`): nil if the venue has no such
    /// order (-2013); throws when it did not answer.
    public func order(symbol: String, orderId: Int64) async throws -> BinanceOrders.Order? {
        let r = try await send(
            .GET, "/api/v3/order", [("symbol", symbol), ("orderId", String(orderId))], signed: true, weight: 4,
            timed: true)
        if (200..<300).contains(r.status) { return try decode(BinanceOrders.Order.self, r) }
        if case .venue(_, -2013, _) = failure(r) { return nil }
        throw failure(r)
    }

    /// The id of the account's latest trade of `symbol` (0 if it has none): where a new live
    /// job's trades begin (`myTrades` without `fromId` answers the most recent ones).
    public func latestTradeId(symbol: String) async throws -> Int64 {
        let r = try await send(
            .GET, "/api/v3/myTrades", [("symbol", symbol), ("limit", "1")], signed: true, weight: 20, timed: true)
        return try decode([BinanceAccount.Trade].self, r).map(\.id).max() ?? 0
    }

    /// The symbol's latest traded price (`GET /api/v3/ticker/price`, weight 2).
    public func price(symbol: String) async throws -> VenueDecimal {
        struct Ticker: Decodable { var price: VenueDecimal }
        return try decode(Ticker.self, try await send(.GET, "/api/v3/ticker/price", [("symbol", symbol)], weight: 2))
            .price
    }

    public func cancelOrder(symbol: String, clientOrderId: ClientOrderId) async throws -> BinanceOrders.Order {
        let r = try await send(
            .DELETE, "/api/v3/order", [("symbol", symbol), ("origClientOrderId", clientOrderId.description)],
            signed: true, weight: 1, timed: true)
        return try decode(BinanceOrders.Order.self, r)
    }

    public func openOrders(symbol: String) async throws -> [BinanceOrders.Order] {
        let r = try await send(.GET, "/api/v3/openOrders", [("symbol", symbol)], signed: true, weight: 6, timed: true)
        return try decode([BinanceOrders.Order].self, r)
    }

    public func balances() async throws -> [BinanceAccount.Balance] {
        let r = try await send(.GET, "/api/v3/account", [], signed: true, weight: 20, timed: true)
        guard (200..<300).contains(r.status) else { throw failure(r) }
        return try BinanceAccount.balances(Data(r.body))
    }

    /// The account's trades of `symbol` from trade id `fromId` (inclusive), every page of them.
    public func trades(symbol: String, fromId: Int64, pageSize: Int = 1_000) async throws -> [BinanceAccount.Trade] {
        // The venue answers at most 1,000 a page (rest-api.md "Account trade list").
        let size = min(max(1, pageSize), 1_000)
        var out: [BinanceAccount.Trade] = []
        var from = fromId
        while true {
            let r = try await send(
                .GET, "/api/v3/myTrades",
                [("symbol", symbol), ("fromId", String(from)), ("limit", String(size))], signed: true, weight: 20,
                timed: true)
            let page = try decode([BinanceAccount.Trade].self, r)
            out += page
            guard page.count == size, let last = page.last else { return out }
            from = last.id + 1
        }
    }

    public func shutdown() { http.shutdown() }
}
