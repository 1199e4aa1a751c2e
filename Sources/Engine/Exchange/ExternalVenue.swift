/// A venue whose orders are carried out elsewhere — a live exchange — as the strategy sees it.
/// `submit` takes the order and queues it (pending); the executor (a live job's runner) takes the
/// queue, places each order, and reports back what the venue did: accepted, refused, canceled,
/// filled. The wallet moves only with the fills reported, so what the strategy sees is what the
/// venue confirmed. Strategies run on it unchanged (``TradingVenue``). Pure, and Codable: a live
/// job checkpoints it with its strategy.
public struct ExternalVenue: TradingVenue, Sendable, Codable {
    public let instrument: Instrument
    public private(set) var wallet: Wallet
    public private(set) var barIndex: Int = 0
    public private(set) var time: Int64 = 0
    public private(set) var lastPrice: Double = 0
    /// The sequence number the next execution's fill will carry (a checkpoint's `next_fill_seq`).
    public var nextFill: Int64 { nextFillSeq }
    /// Orders not done yet, oldest first, and the last ones done (for ``order(_:)``).
    private var open: [Order] = []
    private var done: [Order] = []
    /// Numbered from 0 as the simulated exchange numbers them, so a replay's orders pair with
    /// the live run's by id (`ats job divergence`).
    private var nextOrderId: OrderID = 0
    /// Adopted orders are numbered from ``adoptedIds`` up, apart from the strategy's own, so an
    /// adoption does not shift the pairing of the strategy's later orders with a replay's. Nil in
    /// a checkpoint from before adoption was numbered apart (the first adoption starts the range).
    private var nextAdoptedId: OrderID?
    private var nextFillSeq: Int64 = 0
    /// Submitted and not taken by the executor yet; cancels asked and not taken yet.
    public private(set) var submissions: [Order] = []
    public private(set) var cancellations: [OrderID] = []

    /// How many finished orders ``order(_:)`` still finds.
    static let doneKept = 1_000
    /// Where adopted orders' ids start (a strategy never places 2⁴⁰ orders).
    public static let adoptedIds: OrderID = 1 << 40

    public init(instrument: Instrument, wallet: Wallet) {
        self.instrument = instrument
        self.wallet = wallet
    }

    /// The bar the strategy is about to see.
    public mutating func moveTo(_ bar: Bar, index: Int) {
        barIndex = index
        time = bar.time
        lastPrice = bar.close
    }

    // MARK: TradingVenue

    public var openOrders: [Order] { open }

    public func order(_ id: OrderID) -> Order? {
        open.first { $0.id == id } ?? done.last { $0.id == id }
    }

    /// Queues a market, limit or stop order for the executor (a stop-limit is refused: the live
    /// connector does not place those). Filters and balances are the venue's to judge; obvious
    /// mistakes are refused here.
    @discardableResult
    public mutating func submit(_ request: OrderRequest) -> OrderID {
        let id = nextOrderId
        nextOrderId += 1
        var o = Order(
            id: id, side: request.side, type: request.type, quantity: instrument.roundQuantity(request.quantity),
            limitPrice: request.limitPrice.map(instrument.roundPrice),
            stopPrice: request.stopPrice.map(instrument.roundPrice),
            timeInForce: request.timeInForce, postOnly: request.postOnly, status: .pending, filledQuantity: 0,
            averagePrice: 0, createdAt: time, createdBar: barIndex, triggered: false, rejectReason: nil,
            tag: request.tag, parentId: nil, ocoId: nil, takeProfit: request.takeProfit.map(instrument.roundPrice),
            stopLoss: request.stopLoss.map(instrument.roundPrice), held: 0)
        if o.quantity <= 0 {
            o.rejectReason = .quantityNotPositive
        } else if o.type == .limit && o.limitPrice == nil {
            o.rejectReason = .missingLimitPrice
        } else if o.type == .stop && o.stopPrice == nil {
            o.rejectReason = .missingStopPrice
        } else if o.type == .stopLimit {
            o.rejectReason = .unsupportedOnVenue
        } else if let fault = Self.bracketFault(o, reference: o.limitPrice ?? o.stopPrice ?? lastPrice) {
            // As the simulated exchange refuses it: an entry is never sent with an exit bracket
            // on the wrong side, which the venue would refuse once the entry had filled.
            o.rejectReason = .invalidBracket(fault)
        }
        if o.rejectReason != nil {
            o.status = .rejected
            finish(o)
            return id
        }
        open.append(o)
        submissions.append(o)
        return id
    }

    /// A bracket's take-profit must be on the profit side of the entry's price, its stop-loss on
    /// the loss side (the simulated exchange's rule); nothing to judge before a price is known.
    static func bracketFault(_ o: Order, reference: Double) -> RejectReason.BracketFault? {
        guard reference > 0 else { return nil }
        if let tp = o.takeProfit, o.side == .buy ? tp <= reference : tp >= reference {
            return .takeProfitOnTheLossSide
        }
        if let sl = o.stopLoss, o.side == .buy ? sl >= reference : sl <= reference { return .stopLossOnTheProfitSide }
        return nil
    }

    @discardableResult
    public mutating func cancel(_ id: OrderID) -> Bool {
        guard open.contains(where: { $0.id == id }) else { return false }
        if let k = submissions.firstIndex(where: { $0.id == id }) {
            // Never sent: nothing to ask the venue.
            submissions.remove(at: k)
            canceled(id)
        } else if !cancellations.contains(id) {
            cancellations.append(id)
        }
        return true
    }

    /// Changing a working order is a cancel and a new order on a live venue: not offered.
    @discardableResult
    public mutating func modify(_ id: OrderID, quantity: Double?, limitPrice: Double?, stopPrice: Double?) -> Bool {
        false
    }

    // MARK: The executor's side

    public mutating func takeSubmissions() -> [Order] {
        defer { submissions = [] }
        return submissions
    }

    public mutating func takeCancellations() -> [OrderID] {
        defer { cancellations = [] }
        return cancellations
    }

    /// The venue refused the order before it was placed.
    public mutating func rejected(_ id: OrderID, reason: RejectReason) {
        guard let k = open.firstIndex(where: { $0.id == id }) else { return }
        var o = open.remove(at: k)
        o.status = .rejected
        o.rejectReason = reason
        finish(o)
    }

    /// A filled entry's bracket leg the venue refused because the market was already past one of
    /// the bracket's prices (an OCO list out of order, a stop that would trigger at once): settled
    /// as the simulated exchange settles a bracket the next bar has crossed — the leg the market is
    /// past executes, here as a market order under its own id and tag, queued for the executor,
    /// and its partner ends. Without this the position would be held with no exit at all.
    /// Returns the leg that goes out at market (nil: not a working bracket leg).
    @discardableResult
    public mutating func exitCrossedBracket(_ id: OrderID, marketPrice: Double) -> OrderID? {
        guard let leg = open.first(where: { $0.id == id }), leg.parentId != nil else { return nil }
        let partner = leg.ocoId.flatMap { p in open.first { $0.id == p } }
        let crossed = partner.map { Self.crossedLeg(leg, $0, marketPrice: marketPrice) } ?? leg.id
        if let partner { canceled(crossed == leg.id ? partner.id : leg.id) }
        guard let k = open.firstIndex(where: { $0.id == crossed }) else { return nil }
        open[k].triggered = open[k].type == .stop
        open[k].type = .market
        open[k].limitPrice = nil
        open[k].stopPrice = nil
        open[k].ocoId = nil
        submissions.append(open[k])
        return crossed
    }

    /// Which of a bracket's two legs the market at `price` is past: the take-profit when the price
    /// has reached its limit, the stop-loss when it has reached its stop; between the two (the
    /// market came back after the venue's refusal), the nearer.
    static func crossedLeg(_ a: Order, _ b: Order, marketPrice price: Double) -> OrderID {
        let (profit, stop) = a.type == .limit ? (a, b) : (b, a)
        guard let limit = profit.limitPrice, let trigger = stop.stopPrice else { return stop.id }
        let sell = stop.side == .sell
        if sell ? price >= limit : price <= limit { return profit.id }
        if sell ? price <= trigger : price >= trigger { return stop.id }
        return abs(limit - price) < abs(price - trigger) ? profit.id : stop.id
    }

    /// A working order proven never placed, queued for the executor again (a bracket leg or its
    /// exit: the position it protects is held). Already queued: nothing changes.
    public mutating func requeue(_ id: OrderID) {
        guard let o = open.first(where: { $0.id == id }), !submissions.contains(where: { $0.id == id }) else {
            return
        }
        submissions.append(o)
    }

    /// The order is no longer working (canceled, expired, or not placed after all).
    public mutating func canceled(_ id: OrderID) {
        guard let k = open.firstIndex(where: { $0.id == id }) else { return }
        var o = open.remove(at: k)
        o.status = .canceled
        finish(o)
    }

    /// An order of the job's found at the venue that this state does not know — placed by a run
    /// whose state was lost, or by hand with the job's client order id prefix — taken in as
    /// working, so its executions move the wallet (reconciliation adopts it; docs/LIVE.md).
    public mutating func adopt(
        side: OrderSide, type: OrderType, quantity: Double, limitPrice: Double?, stopPrice: Double? = nil,
        tag: InlineString
    ) -> OrderID {
        let id = nextAdoptedId ?? Self.adoptedIds
        nextAdoptedId = id + 1
        open.append(
            Order(
                id: id, side: side, type: type, quantity: quantity, limitPrice: limitPrice, stopPrice: stopPrice,
                timeInForce: .gtc, postOnly: false, status: .pending, filledQuantity: 0, averagePrice: 0,
                createdAt: time, createdBar: barIndex, triggered: false, rejectReason: nil, tag: tag, parentId: nil,
                ocoId: nil, takeProfit: nil, stopLoss: nil, held: 0))
        return id
    }

    /// The venue filled the order completely: done as filled, whatever remainder the engine's own
    /// rounding left (a market order's quantity goes out at the venue's MARKET_LOT_SIZE step).
    public mutating func completed(_ id: OrderID) {
        guard let k = open.firstIndex(where: { $0.id == id }) else { return }
        var o = open.remove(at: k)
        o.status = o.filledQuantity > 0 ? .filled : .canceled
        finish(o)
        if o.status == .filled { placeBracket(for: o) }
    }

    /// A filled entry's bracket, as the simulated exchange places it — the take-profit limit,
    /// then the stop-loss stop, numbered next, one-cancels-the-other — queued for the executor,
    /// which places a pair as one OCO order list. A sell gives at most what the fill left in the
    /// wallet (the venue takes a buy's commission in the base asset).
    private mutating func placeBracket(for parent: Order) {
        guard parent.takeProfit != nil || parent.stopLoss != nil else { return }
        let side = parent.side.opposite
        let held = side == .sell ? min(parent.filledQuantity, wallet.base.free) : parent.filledQuantity
        let quantity = instrument.roundQuantity(held)
        guard quantity > 0 else { return }
        var legs: [Order] = []
        let plan: [(OrderType, Double?, InlineString)] = [
            (.limit, parent.takeProfit, "take_profit"), (.stop, parent.stopLoss, "stop_loss"),
        ]
        for (type, price, tag) in plan {
            guard let price else { continue }
            legs.append(
                Order(
                    id: nextOrderId, side: side, type: type, quantity: quantity,
                    limitPrice: type == .limit ? price : nil, stopPrice: type == .stop ? price : nil,
                    timeInForce: .gtc, postOnly: false, status: .pending, filledQuantity: 0, averagePrice: 0,
                    createdAt: time, createdBar: barIndex, triggered: false, rejectReason: nil, tag: tag,
                    parentId: parent.id, ocoId: nil, takeProfit: nil, stopLoss: nil, held: 0))
            nextOrderId += 1
        }
        if legs.count == 2 {
            legs[0].ocoId = legs[1].id
            legs[1].ocoId = legs[0].id
        }
        open += legs
        submissions += legs
    }

    /// An execution the venue reported: the wallet and the order move, and the fill comes back for
    /// the strategy (``LiveSession/deliver(_:)``). Fees are in the asset the venue charged them.
    /// `barIndex` is the candle the execution happened in (by its time), so a fill is the same
    /// whenever it is booked — as it happened, or refilled by a resumed run.
    public mutating func filled(
        _ id: OrderID, price: Double, quantity: Double, feeBase: Double, feeQuote: Double, liquidity: Liquidity,
        time: Int64, barIndex fillBar: Int? = nil
    ) -> Fill? {
        guard let k = open.firstIndex(where: { $0.id == id }) else { return nil }
        var o = open[k]
        let notional = price * quantity
        if o.side == .buy {
            wallet.base.free += quantity - feeBase
            wallet.quote.free -= notional + feeQuote
        } else {
            wallet.base.free -= quantity + feeBase
            wallet.quote.free += notional - feeQuote
        }
        let total = o.filledQuantity + quantity
        o.averagePrice = total > 0 ? (o.averagePrice * o.filledQuantity + notional) / total : 0
        o.filledQuantity = total
        let fill = Fill(
            seq: nextFillSeq, orderId: id, time: time, barIndex: fillBar ?? barIndex, side: o.side, price: price,
            quantity: quantity, feeBase: feeBase, feeQuote: feeQuote, liquidity: liquidity, tag: o.tag)
        nextFillSeq += 1
        if o.remaining <= max(instrument.stepSize / 2, 1e-12) {
            o.status = .filled
            open.remove(at: k)
            finish(o)
            placeBracket(for: o)
        } else {
            o.status = .partiallyFilled
            open[k] = o
        }
        return fill
    }

    private mutating func finish(_ o: Order) {
        done.append(o)
        if done.count > Self.doneKept { done.removeFirst(done.count - Self.doneKept) }
    }
}
