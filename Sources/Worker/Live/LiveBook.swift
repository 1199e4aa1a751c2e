import ATSEngine
import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation

/// A live run's orders and executions: the strategy's session, which client order ids are the
/// job's working orders and which are in flight, and every execution of the account on the
/// symbol counted once and booked in trade id order — from the user data stream or a refill,
/// never from an order's own answer, so the job's fills come out the same whichever run books
/// them (a resumed run refills its predecessor's from the checkpoint's watermark).
package struct LiveBook {
    package var session: any LiveSession
    package let instrument: Instrument
    let job: Int64
    let epoch: Int64
    let lengthMs: Int64
    var lastOpenTime: Int64?
    var nextSequence: Int64
    /// Client order id → the engine's order id: orders the venue may still fill.
    package var working: [String: OrderID]
    /// Orders whose outcome is not known yet (their intents written or about to be, maybe sent).
    package var inFlight: Set<String>
    /// The venue's order id → client order id, for working orders the venue accepted.
    package var venueOrders: [Int64: String]
    package var ledger: TradeLedger
    /// The job's risk limits and their state (nil: the job has none).
    var risk: RiskGate?
    package var unsentFills: [Fill] = []
    package var unsentVenue: [VenueFill] = []

    package init(
        session: any LiveSession, instrument: Instrument, job: Int64, epoch: Int64, lengthMs: Int64,
        restored: LiveCheckpoint?
    ) {
        self.session = session
        self.instrument = instrument
        self.job = job
        self.epoch = epoch
        self.lengthMs = lengthMs
        lastOpenTime = restored?.lastOpenTime
        nextSequence = restored?.nextSequence ?? 0
        working = restored?.working ?? [:]
        inFlight = Set(restored?.inFlight ?? [])
        venueOrders = restored?.venueOrders ?? [:]
        ledger = TradeLedger(countedThrough: restored?.tradesThrough ?? 0)
        risk = restored?.risk
        hasWatermark = restored?.tradesThrough != nil
    }

    /// Whether ``ledger`` starts from a known trade id (a new job learns the account's latest first).
    private(set) var hasWatermark: Bool

    /// A new job's trades begin after the account's latest trade of the symbol.
    package mutating func startTrades(after id: Int64) {
        ledger = TradeLedger(countedThrough: id)
        hasWatermark = true
    }

    /// Every trade up to this id is booked or known not to be the job's.
    var tradesThrough: Int64? { hasWatermark ? ledger.countedThrough : nil }

    func checkpoint() throws -> LiveCheckpoint {
        LiveCheckpoint(
            lastOpenTime: lastOpenTime, nextSequence: nextSequence, working: working, inFlight: inFlight.sorted(),
            venueOrders: venueOrders, tradesThrough: tradesThrough, risk: risk, engine: try session.checkpoint())
    }

    /// One execution as the venue reports it.
    struct Execution {
        var tradeId: Int64
        var venueOrderId: Int64
        var side: String
        var price: VenueDecimal
        var quantity: VenueDecimal
        var commission: VenueDecimal
        var commissionAsset: String
        var maker: Bool
        var timeMs: Int64

        init(_ r: BinanceOrders.ExecutionReport) {
            self.init(
                tradeId: r.tradeId, venueOrderId: r.orderId, side: r.side, price: r.lastPrice,
                quantity: r.lastQuantity, commission: r.commission, commissionAsset: r.commissionAsset ?? "",
                maker: r.isMaker, timeMs: r.transactionTime)
        }

        init(_ t: BinanceAccount.Trade) {
            self.init(
                tradeId: t.id, venueOrderId: t.orderId, side: t.isBuyer ? "BUY" : "SELL", price: t.price,
                quantity: t.qty, commission: t.commission, commissionAsset: t.commissionAsset, maker: t.isMaker,
                timeMs: t.time)
        }

        init(
            tradeId: Int64, venueOrderId: Int64, side: String, price: VenueDecimal, quantity: VenueDecimal,
            commission: VenueDecimal, commissionAsset: String, maker: Bool, timeMs: Int64
        ) {
            self.tradeId = tradeId
            self.venueOrderId = venueOrderId
            self.side = side
            self.price = price
            self.quantity = quantity
            self.commission = commission
            self.commissionAsset = commissionAsset
            self.maker = maker
            self.timeMs = timeMs
        }
    }

    /// Whether this trade id is new (above the watermark): trades arrive in id order.
    func isNew(_ tradeId: Int64) -> Bool { tradeId > ledger.countedThrough }

    /// Books one trade of the account on the symbol, in trade id order: the job's if its order is
    /// one of the job's working orders (`clientOrderId` when the report carries it, else by the
    /// venue's order id); another client's is only counted. Returns whether it was the job's.
    @discardableResult
    mutating func book(_ t: Execution, clientOrderId: String? = nil) -> Bool {
        guard ledger.record(t.tradeId) else { return false }
        guard let cid = clientOrderId ?? venueOrders[t.venueOrderId], let engineId = working[cid] else { return false }
        venueOrders[t.venueOrderId] = cid
        let feeBase = t.commissionAsset == instrument.base ? t.commission.double : 0
        let feeQuote = t.commissionAsset == instrument.quote ? t.commission.double : 0
        unsentVenue.append(
            VenueFill(
                tradeId: t.tradeId, orderId: t.venueOrderId, clientOrderId: cid, side: t.side,
                price: t.price.description, quantity: t.quantity.description, commission: t.commission.description,
                commissionAsset: t.commissionAsset, timeMs: t.timeMs, maker: t.maker))
        let bar = Reconciliation.barIndex(
            tradeTimeMs: t.timeMs, lastOpenTime: lastOpenTime, lastIndex: session.cursor - 1, lengthMs: lengthMs)
        guard
            let fill = session.venue.filled(
                engineId, price: t.price.double, quantity: t.quantity.double, feeBase: feeBase, feeQuote: feeQuote,
                liquidity: t.maker ? .maker : .taker, time: t.timeMs, barIndex: bar)
        else { return true }
        unsentFills.append(fill)
        session.deliver(fill)
        if session.venue.order(engineId)?.status.isOpen == false { forget(cid) }
        return true
    }

    /// The order is done at the venue (canceled, expired, refused or never placed): after its
    /// last execution, which the stream reports before the status that ends it.
    mutating func finished(_ clientOrderId: String) {
        guard let id = working[clientOrderId] else { return }
        session.venue.canceled(id)
        forget(clientOrderId)
    }

    /// The next client order id, for the engine's order `id`: working and in flight from now on.
    mutating func take(_ id: OrderID) -> ClientOrderId {
        let cid = ClientOrderId(job: job, epoch: epoch, sequence: nextSequence)
        nextSequence += 1
        working[cid.description] = id
        inFlight.insert(cid.description)
        return cid
    }

    /// The venue filled the order completely (after its last execution).
    mutating func completed(_ clientOrderId: String) {
        guard let id = working[clientOrderId] else { return }
        session.venue.completed(id)
        forget(clientOrderId)
    }

    /// Quantity of the order booked so far (nil: not a working order).
    func bookedQuantity(_ clientOrderId: String) -> Double? {
        working[clientOrderId].flatMap { session.venue.order($0)?.filledQuantity }
    }

    /// The order was refused before it was sent (the coordinator's verdict).
    mutating func refused(_ clientOrderId: String, reason: RejectReason) {
        guard let id = working[clientOrderId] else { return }
        session.venue.rejected(id, reason: reason)
        forget(clientOrderId)
    }

    /// The venue refused the order before its engine (the run that sent it learned so).
    mutating func rejected(_ clientOrderId: String, code: Int) {
        guard let id = working[clientOrderId] else { return }
        session.venue.rejected(id, reason: .venueRefused(code: code))
        forget(clientOrderId)
    }

    /// Whether the order is a leg of a filled entry's bracket (its exit).
    func isBracketLeg(_ clientOrderId: String) -> Bool {
        working[clientOrderId].flatMap { session.venue.order($0)?.parentId } != nil
    }

    /// The venue refused a bracket leg because the market is already past one of the bracket's
    /// prices (``BinanceOrders/refusedAsMarketIsPast(code:message:)``): both legs' client ids end
    /// here, and the leg the market is past goes out again at market under a new client id
    /// (``ExternalVenue/exitCrossedBracket(_:marketPrice:)``). False (nothing done): not a leg.
    mutating func exitCrossedBracket(_ clientOrderId: String, marketPrice: Double) -> Bool {
        guard let id = working[clientOrderId], let leg = session.venue.order(id), leg.parentId != nil else {
            return false
        }
        if let partner = leg.ocoId, let cid = working.first(where: { $0.value == partner })?.key { forget(cid) }
        forget(clientOrderId)
        return session.venue.exitCrossedBracket(id, marketPrice: marketPrice) != nil
    }

    /// The order was proven never placed (its window passed with the venue not knowing it, or it
    /// was never sent). A bracket leg or its exit still open goes back in the queue, to be sent
    /// under a new client id: the position it protects is held; any other order ends.
    mutating func notPlaced(_ clientOrderId: String) {
        guard let id = working[clientOrderId], let o = session.venue.order(id), o.parentId != nil, o.status.isOpen
        else { return finished(clientOrderId) }
        forget(clientOrderId)
        session.venue.requeue(id)
    }

    /// The venue accepted the order under this id.
    mutating func accepted(_ clientOrderId: String, venueOrderId: Int64) {
        inFlight.remove(clientOrderId)
        guard working[clientOrderId] != nil else { return }
        venueOrders[venueOrderId] = clientOrderId
    }

    /// Takes in an order of the job's the state did not know (``Reconciliation/toAdopt(open:job:known:)``).
    package mutating func adopt(_ o: BinanceOrders.Order) {
        let side: OrderSide = o.side == "SELL" ? .sell : .buy
        // A STOP_LOSS (alone, or an OCO's stop leg) is a stop; LIMIT and LIMIT_MAKER are limits.
        let type: OrderType = o.type == "MARKET" ? .market : o.type == "STOP_LOSS" ? .stop : .limit
        let price = o.price.map(\.double).flatMap { $0 > 0 ? $0 : nil }
        let stop = o.stopPrice.map(\.double).flatMap { $0 > 0 ? $0 : nil }
        let id = session.venue.adopt(
            side: side, type: type, quantity: o.origQty.double, limitPrice: type == .limit ? price : nil,
            stopPrice: type == .stop ? stop : nil, tag: "adopted")
        working[o.clientOrderId] = id
        venueOrders[o.orderId] = o.clientOrderId
    }

    /// The order's outcome is unknown again: in flight, its venue id forgotten (a benchmark's setup).
    package mutating func forgetVenueId(of clientOrderId: String) {
        venueOrders = venueOrders.filter { $0.value != clientOrderId }
        inFlight.insert(clientOrderId)
    }

    private mutating func forget(_ clientOrderId: String) {
        working[clientOrderId] = nil
        inFlight.remove(clientOrderId)
        venueOrders = venueOrders.filter { $0.value != clientOrderId }
    }
}

/// An order on its way to the venue: fitted to the filters, with its client order id.
struct Outgoing: Sendable {
    var side: SymbolFilters.Side
    var type: BinanceOrders.OrderType
    var timeInForce: BinanceOrders.TimeInForce?
    var fitted: SymbolFilters.Fitted
    var clientOrderId: ClientOrderId
    /// An OCO's stop leg, placed with this order (its take-profit) as one order list.
    var stop: OrderPlacer.StopLeg? = nil
    /// A `STOP_LOSS` order's trigger.
    var stopPrice: VenueDecimal? = nil
}
