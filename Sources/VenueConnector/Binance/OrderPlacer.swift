import ATSVenues
import Foundation
import Logging

/// Places one order through ``OrderIntent``: the intent made durable first (`persist`, which the
/// worker has the coordinator acknowledge), the rate limiter's admission before the timestamp is
/// taken, one request, and on an unknown outcome queries by client order id until the venue's
/// window has closed — never a second request. A retry is the caller's, with a new sequence.
public struct OrderPlacer: Sendable {
    public let client: BinanceRESTClient
    /// How long an unknown outcome is queried for before it is left to reconciliation.
    public let queryFor: Duration

    public init(client: BinanceRESTClient, queryFor: Duration = .seconds(60)) {
        self.client = client
        self.queryFor = queryFor
    }

    public struct Outcome: Sendable {
        /// `accepted`, `rejected`, `notPlaced`, or `unknown` (still unresolved when `queryFor` ran out).
        public var state: OrderIntent.State
        /// The venue's order, when it answered with it (a FULL answer's fills included).
        public var order: BinanceOrders.Order?
        public var queries: Int
        /// An OCO's list as the venue answered it (its orders' venue ids).
        public var list: BinanceOrders.OrderList? = nil
    }

    /// The stop leg of an OCO: the request is then an order list (`POST /api/v3/orderList/oco`)
    /// whose other leg is the request's own order, a `LIMIT_MAKER` at its fitted price. The list
    /// is placed whole or not at all, so the request's client order id stands for both.
    public struct StopLeg: Sendable, Equatable {
        public var stopPrice: VenueDecimal
        public var clientOrderId: ClientOrderId

        public init(stopPrice: VenueDecimal, clientOrderId: ClientOrderId) {
            self.stopPrice = stopPrice
            self.clientOrderId = clientOrderId
        }
    }

    public struct Request: Sendable {
        public var symbol: String
        public var side: SymbolFilters.Side
        public var type: BinanceOrders.OrderType
        public var timeInForce: BinanceOrders.TimeInForce?
        public var fitted: SymbolFilters.Fitted
        public var clientOrderId: ClientOrderId
        /// Set: an OCO, this order its limit leg.
        public var stop: StopLeg?
        /// A `STOP_LOSS` order's trigger.
        public var stopPrice: VenueDecimal?

        public init(
            symbol: String, side: SymbolFilters.Side, type: BinanceOrders.OrderType,
            timeInForce: BinanceOrders.TimeInForce? = nil, fitted: SymbolFilters.Fitted, clientOrderId: ClientOrderId,
            stop: StopLeg? = nil, stopPrice: VenueDecimal? = nil
        ) {
            self.stop = stop
            self.stopPrice = stopPrice
            self.symbol = symbol
            self.side = side
            self.type = type
            self.timeInForce = timeInForce
            self.fitted = fitted
            self.clientOrderId = clientOrderId
        }
    }

    /// Places the order. Throws only before anything was sent (the persist failed); once the
    /// request may have gone out, every path ends in an outcome, `unknown` at worst (a
    /// cancellation included), which reconciliation resolves: never an error a caller could
    /// take for "failed, try again".
    ///
    /// `authorize` is asked once more after the request's `timestamp` is fixed and before a byte
    /// is sent: a worker answers whether its lease still holds. The venue accepts the request
    /// until `timestamp + recvWindow` (plus its engine's timeout), so a yes bounds how late this
    /// order can land after the lease ended, however long this process stalls before sending —
    /// the bound a successor waits out before it concludes "not placed" (docs/LIVE.md). A no
    /// abandons the intent: nothing was sent.
    public func place(
        _ request: Request, persist: @Sendable (ClientOrderId) async throws -> Void,
        authorize: @Sendable () -> Bool = { true }
    ) async throws -> Outcome {
        var intent = OrderIntent(clientOrderId: request.clientOrderId, recvWindowMs: client.recvWindowMs)
        var actions = intent.start()
        var order: BinanceOrders.Order?
        var list: BinanceOrders.OrderList?
        // Times after the send are the request's timestamp plus monotonic time elapsed since: a
        // wall-clock jump or a re-sampled offset (another job's -1021) must not move the moment
        // "not placed" may be concluded.
        var sentAt: (venueMs: Int64, instant: ContinuousClock.Instant)?
        func venueNow() -> Int64 {
            guard let s = sentAt else { return client.venueNowMs() }
            return s.venueMs + Int64((ContinuousClock.now - s.instant) / .milliseconds(1))
        }
        var giveUpAt = Int64.max
        func outcome() -> Outcome { Outcome(state: intent.state, order: order, queries: intent.queries, list: list) }
        while let action = actions.first {
            actions.removeFirst()
            switch action {
            case .persist:
                try await persist(request.clientOrderId)
                do {
                    try await client.admit(weight: 1, isOrder: true)
                } catch {
                    // Banned, limited beyond waiting, or cancelled: nothing was sent.
                    actions += intent.abandoned()
                    continue
                }
                let now = client.venueNowMs()
                guard authorize() else {
                    actions += intent.abandoned()
                    continue
                }
                sentAt = (now, ContinuousClock.now)
                giveUpAt = now + Int64(queryFor / .milliseconds(1))
                actions += intent.persisted(venueNowMs: now)
            case .send(let timestamp, let window):
                let response: OrderIntent.Response
                do {
                    if let stop = request.stop {
                        // Never sent as a plain order: that would drop the stop-loss unseen.
                        guard let limitPrice = request.fitted.price else {
                            preconditionFailure("an OCO's take-profit leg is a LIMIT_MAKER: it has a price")
                        }
                        let params = BinanceOrders.newOCO(
                            symbol: request.symbol, side: request.side, quantity: request.fitted.quantity,
                            limitPrice: limitPrice, limitClientOrderId: request.clientOrderId,
                            stopPrice: stop.stopPrice, stopClientOrderId: stop.clientOrderId, timestampMs: timestamp,
                            recvWindowMs: window)
                        let r = try await client.send(
                            .POST, "/api/v3/orderList/oco", params, signed: true, weight: 1, isOrder: true,
                            admitted: true)
                        (response, list) = BinanceOrders.listResponse(
                            status: r.status, body: Data(r.body), clientOrderId: request.clientOrderId)
                        order = list?.orderReports?.first { $0.clientOrderId == request.clientOrderId.description }
                    } else {
                        let params = BinanceOrders.newOrder(
                            symbol: request.symbol, side: request.side, type: request.type,
                            timeInForce: request.timeInForce, fitted: request.fitted,
                            clientOrderId: request.clientOrderId, timestampMs: timestamp, recvWindowMs: window,
                            stopPrice: request.stopPrice)
                        let r = try await client.send(
                            .POST, "/api/v3/order", params, signed: true, weight: 1, isOrder: true, admitted: true)
                        (response, order) = BinanceOrders.response(status: r.status, body: Data(r.body))
                    }
                    if case .error(_, -1021, _) = response { await client.noteTimestampRejected() }
                } catch {
                    response = .noAnswer
                }
                actions += intent.answered(response)
            case .query(let notBefore):
                let now = venueNow()
                if now >= giveUpAt || Task.isCancelled { return outcome() }
                if notBefore > now {
                    do {
                        try await Task.sleep(for: .milliseconds(min(notBefore, giveUpAt) - now))
                    } catch {
                        return outcome()
                    }
                }
                // The time the query leaves, after any wait for the rate limiter.
                guard (try? await client.admit(weight: 4, isOrder: false)) != nil else {
                    actions.append(.query(notBeforeMs: venueNow() + 1_000))
                    continue
                }
                let queriedAt = venueNow()
                let (result, found) = await client.queryOrder(
                    symbol: request.symbol, clientOrderId: request.clientOrderId, admitted: true)
                if let found { order = found }
                actions += intent.queried(result, venueNowMs: queriedAt)
            case .resolved:
                return outcome()
            }
        }
        return outcome()
    }
}
