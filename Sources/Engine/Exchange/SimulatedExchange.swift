/// The backtest and paper exchange: matches orders against bars under a ``SimulationConfig``,
/// charges fees with a ``FeeModel`` and keeps a spot wallet with free and held balances.
///
/// Matching rules (documented in docs/ENGINE.md):
/// - An order is matched from the bar after the one it was submitted on; a market order under the
///   `close` policy fills at once at the current close.
/// - Within a bar: market orders first, then stops (so a stop-loss beats its take-profit when one
///   bar touches both: the pessimistic reading), then limits.
/// - Market: the bar's open. Stop: triggers when the range reaches the stop; fills at the stop, or at
///   the open when the bar gaps through it. Limit: fills when the range reaches the limit, at the
///   limit or at the open when the bar opens through it.
/// - Slippage applies to fills that take liquidity; a volume cap fills orders partially.
public struct SimulatedExchange: TradingVenue, Sendable {
    public let instrument: Instrument
    public let config: SimulationConfig
    public let fees: any FeeModel
    public private(set) var state: ExchangeState
    /// Fills since the last ``drainFills()`` or ``takeAllFills()``, in order; the first
    /// ``deliveredFills`` of them have been handed out by ``nextUndeliveredFill()``. A backtest
    /// that keeps its fills leaves them here until it is asked for them, so no fill is copied
    /// into a second array.
    public private(set) var newFills: [Fill]
    public private(set) var deliveredFills = 0

    private var volumeUsed: Double = 0
    /// Whether the fee model reads the trailing 30-day volume (summed per fill only then).
    private let feesUseTrailingVolume: Bool
    private static let epsilon = 1e-12

    public init(
        instrument: Instrument, config: SimulationConfig, fees: any FeeModel, cash: Double, baseBalance: Double = 0
    ) {
        self.init(
            instrument: instrument, config: config, fees: fees,
            state: ExchangeState(wallet: Wallet(base: Balance(free: baseBalance), quote: Balance(free: cash))))
    }

    /// Restores an exchange from a checkpointed state.
    public init(instrument: Instrument, config: SimulationConfig, fees: any FeeModel, state: ExchangeState) {
        self.instrument = instrument
        self.config = config
        self.fees = fees
        feesUseTrailingVolume = fees.usesTrailingVolume
        self.state = state
        self.newFills = []
        newFills.reserveCapacity(16)
    }

    // MARK: TradingVenue

    @inlinable
    public var wallet: Wallet { state.wallet }
    @inlinable
    public var barIndex: Int { state.barIndex }
    @inlinable
    public var openOrders: [Order] { state.open }
    /// Orders submitted so far (rejected ones included).
    public var orderCount: Int { Int(state.nextOrderId) }

    public func order(_ id: OrderID) -> Order? {
        state.open.first { $0.id == id } ?? state.finished(id)
    }

    /// Takes the fills not yet delivered, and forgets the delivered ones.
    public mutating func drainFills() -> [Fill] {
        defer {
            newFills.removeAll(keepingCapacity: true)
            deliveredFills = 0
            hasNewFills = false
        }
        return deliveredFills == 0 ? newFills : Array(newFills[deliveredFills...])
    }

    /// Takes every fill since the last take, delivered or not.
    public mutating func takeAllFills() -> [Fill] {
        defer {
            newFills = []
            deliveredFills = 0
            hasNewFills = false
        }
        return newFills
    }

    /// The oldest fill not yet delivered, now counted as delivered (``hasNewFills`` must be true).
    @inline(__always)
    public mutating func nextUndeliveredFill() -> Fill {
        defer {
            deliveredFills += 1
            hasNewFills = deliveredFills < newFills.count
        }
        return newFills[deliveredFills]
    }

    /// Makes room, when no fill is waiting, for the fills the next `bars` bars may bring: one per 16
    /// bars (`sma_cross` 10/30 makes one per 26), at most 65,536 (7 MB). A run that keeps its fills
    /// then appends without regrowing the buffer (the copies of doubling from empty cost 9 % of a
    /// 1M-bar `sma_cross` run); room never written is never backed by memory.
    public mutating func reserveFills(forBars bars: Int) {
        let room = min(bars / 16, 65_536)
        guard newFills.isEmpty, newFills.capacity < room else { return }
        newFills.reserveCapacity(room)
    }

    /// Forgets the delivered fills once all are delivered, keeping the buffer's memory.
    @inline(__always)
    public mutating func discardDeliveredFills() {
        guard deliveredFills == newFills.count else { return }
        newFills.removeAll(keepingCapacity: true)
        deliveredFills = 0
    }

    /// Whether fills are waiting for delivery (``nextUndeliveredFill()`` or ``drainFills()``):
    /// `newFills.count > deliveredFills`, stored, as a backtest's loop asks twice per bar.
    public private(set) var hasNewFills = false

    /// Where the working order with this id sits in `open`.
    private func slot(of id: OrderID) -> Int? {
        // Working orders are few and the newest are looked up most: scan from the end.
        state.open.lastIndex { $0.id == id }
    }

    /// Keeps the newest `count` finished orders for ``order(_:)`` (``Strategy/finishedOrdersKept``).
    public mutating func keepFinished(_ count: Int) { state.keepRecent(count) }

    /// Keeps a finished order in the recent history.
    private mutating func archive(_ o: consuming Order) { state.archive(o) }

    /// Moves finished orders from the working list to the recent history.
    private mutating func sweep() {
        var k = 0
        while k < state.open.count && state.open[k].status.isOpen { k += 1 }
        guard k < state.open.count else { return }
        for o in state.open where !o.status.isOpen { archive(o) }
        state.open.removeAll { !$0.status.isOpen }
    }

    // MARK: Bars

    /// Moves to the next bar and matches working orders against it.
    @inline(__always)
    public mutating func process(bar: Bar, index: Int) {
        moveTo(time: bar.time, close: bar.close, index: index)
        guard !state.open.isEmpty else { return }
        // Most bars reach none of the resting orders: one check against their bounds instead of
        // three passes over every order. The bounds are kept until `open` changes.
        if state.workingBounds == nil { state.workingBounds = WorkingOrderBounds(state.open) }
        if state.workingBounds!.mayBeReached(low: bar.low, high: bar.high) { matchOpenOrders(bar) }
    }

    /// Moves to the next bar when no order is working (``hasWorkingOrders`` is false): with
    /// nothing to match, only its time and close matter, so a loop need not load the whole bar.
    @inline(__always)
    public mutating func moveTo(time: Int64, close: Double, index: Int) {
        state.barTime = time
        state.barClose = close
        state.barIndex = index
    }

    /// Whether orders are working (and the next bar must be matched against them).
    @inlinable
    public var hasWorkingOrders: Bool { !state.open.isEmpty }

    private mutating func matchOpenOrders(_ bar: Bar) {
        volumeUsed = 0
        // Pass 0: market, pass 1: stops, pass 2: limits. Orders appended meanwhile (bracket legs)
        // start on the next bar; nothing leaves `open` before the sweep, so indices hold. Fields
        // are read in place: an `Order` is ~220 bytes with strings inside, too big to copy per bar.
        for pass in 0..<3 {
            var k = 0
            while k < state.open.count {
                if state.open[k].status.isOpen, state.open[k].createdBar < state.barIndex,
                    Self.matchingPass(state.open[k].type, triggered: state.open[k].triggered) == pass
                {
                    if isReached(k, bar) {
                        match(at: k, bar)
                    } else {
                        expireIfImmediate(at: k, firstBar: state.open[k].createdBar == state.barIndex - 1)
                    }
                }
                k += 1
            }
        }
        sweep()
    }

    private static func matchingPass(_ type: OrderType, triggered: Bool) -> Int {
        switch type {
        case .market: 0
        case .stop: 1
        case .stopLimit: triggered ? 2 : 1
        case .limit: 2
        }
    }

    /// Whether the bar reaches the working order at `open[k]` at all (most resting orders, most
    /// bars: no); decided in place, before ``match(at:_:)`` works on a copy.
    private func isReached(_ k: Int, _ bar: Bar) -> Bool {
        let buy = state.open[k].side == .buy
        switch state.open[k].type {
        case .market:
            return true
        case .stop, .stopLimit:
            if !state.open[k].triggered {
                let stop = state.open[k].stopPrice!
                return buy ? bar.high >= stop : bar.low <= stop
            }
            if state.open[k].type == .stop { return true }
            fallthrough
        case .limit:
            let limit = state.open[k].limitPrice!
            return buy ? bar.low <= limit : bar.high >= limit
        }
    }

    /// Matches the working order at `open[k]` against the current bar.
    private mutating func match(at k: Int, _ bar: Bar) {
        var o = state.open[k]
        let firstBar = o.createdBar == state.barIndex - 1
        var price: Double?
        var liquidity = Liquidity.taker
        switch o.type {
        case .market:
            price = slipped(bar.open, o.side)
        case .stop, .stopLimit:
            if !o.triggered {
                let stop = o.stopPrice!
                if o.side == .buy ? bar.high >= stop : bar.low <= stop {
                    o.triggered = true
                    let trigger = o.side == .buy ? max(bar.open, stop) : min(bar.open, stop)
                    if o.type == .stop {
                        price = slipped(trigger, o.side)
                    } else {
                        let limit = o.limitPrice!
                        if o.side == .buy ? trigger <= limit : trigger >= limit { price = trigger }
                    }
                }
            } else if o.type == .stop {
                // A triggered stop is a market order: what a volume cap left fills at the open.
                price = slipped(bar.open, o.side)
            } else {
                price = limitFill(o, bar: bar)
                liquidity = .maker
            }
        case .limit:
            price = limitFill(o, bar: bar)
            if let p = price {
                // Marketable on arrival (the bar opened through the limit): it took liquidity.
                liquidity = firstBar && p == bar.open && p != o.limitPrice ? .taker : .maker
            }
        }
        guard let fillPrice = price else {
            state.open[k] = o
            return expireIfImmediate(at: k, firstBar: firstBar)
        }
        var quantity = o.remaining
        if config.maxVolumeShare > 0 {
            let room = max(0, bar.volume * config.maxVolumeShare - volumeUsed)
            quantity = instrument.roundQuantity(min(quantity, room))
        }
        if o.timeInForce == .fok && quantity < o.remaining - Self.epsilon {
            finish(&o, .canceled, reason: .fillOrKillNotFilled)
            state.open[k] = o
            return
        }
        var filled = 0.0
        if quantity > Self.epsilon {
            filled = execute(&o, price: instrument.roundPrice(fillPrice), quantity: quantity, liquidity: liquidity)
        }
        state.open[k] = o
        if filled > 0 && o.hasLinkedOrders { settle(o, filled: filled) }
        expireIfImmediate(at: k, firstBar: true)
    }

    private func limitFill(_ o: Order, bar: Bar) -> Double? {
        let limit = o.limitPrice!
        if o.side == .buy {
            return bar.low <= limit ? min(bar.open, limit) : nil
        } else {
            return bar.high >= limit ? max(bar.open, limit) : nil
        }
    }

    @inline(__always)
    private func slipped(_ price: Double, _ side: OrderSide) -> Double {
        guard config.slippageFraction != 0 || config.slippageTicks != 0 else { return price }
        return price * (1 + side.sign * config.slippageFraction) + side.sign * config.slippageTicks
            * instrument.tickSize
    }

    /// IOC and FOK orders live for one matching bar only.
    private mutating func expireIfImmediate(at k: Int, firstBar: Bool) {
        guard firstBar, state.open[k].timeInForce != .gtc, state.open[k].status.isOpen else { return }
        var o = state.open[k]
        finish(&o, .canceled, reason: o.timeInForce == .fok ? .fillOrKillNotFilled : nil)
        state.open[k] = o
    }

    // MARK: Execution

    /// Books one fill of `o`: wallet, fee, the order's state, its hold once filled. Returns the
    /// quantity filled, 0 when the balance cannot pay for it (the order is then rejected). The
    /// caller stores `o` back and then calls ``settle(_:filled:)``.
    private mutating func execute(
        _ o: inout Order, price: Double, quantity requested: Double, liquidity: Liquidity
    ) -> Double {
        var quantity = requested
        var shrunk = false
        var fee = fees.fee(for: tradeInfo(o, price: price, quantity: quantity, liquidity: liquidity))
        var w = state.wallet
        // Release what this order held for the part that fills.
        let releaseShare = o.remaining > 0 ? min(1, quantity / o.remaining) : 1
        let release = o.held * releaseShare
        o.held -= release
        if o.side == .buy {
            w.quote.held -= release
            w.quote.free += release
            let cost = price * quantity + fee.quote
            if cost > w.quote.free + Self.epsilon {
                // Fill-or-kill means all or nothing: never shrunk to the balance.
                if o.timeInForce == .fok {
                    state.wallet = w
                    finish(&o, .canceled, reason: .fillOrKillNotFilled)
                    return 0
                }
                // Buy what the free cash affords, fees included (like "all cash" sizing).
                let rate = fee.quote / max(price * quantity, Self.epsilon)
                quantity = instrument.roundQuantity(max(0, w.quote.free) / (price * (1 + rate)))
                guard quantity > Self.epsilon, quantity >= instrument.minQuantity else {
                    state.wallet = w
                    finish(
                        &o, .rejected,
                        reason: .insufficientBalance(
                            asset: InlineString(instrument.quote), needed: cost, free: w.quote.free))
                    return 0
                }
                fee = fees.fee(for: tradeInfo(o, price: price, quantity: quantity, liquidity: liquidity))
                shrunk = true
            }
            w.quote.free -= price * quantity + fee.quote
            w.base.free += quantity - fee.base
        } else {
            w.base.held -= release
            w.base.free += release
            if !config.allowShort && quantity + fee.base > w.base.free + Self.epsilon {
                if o.timeInForce == .fok {
                    state.wallet = w
                    finish(&o, .canceled, reason: .fillOrKillNotFilled)
                    return 0
                }
                quantity = instrument.roundQuantity(max(0, w.base.free - fee.base))
                guard quantity > Self.epsilon, quantity >= instrument.minQuantity else {
                    state.wallet = w
                    finish(
                        &o, .rejected,
                        reason: .insufficientBalance(
                            asset: InlineString(instrument.base), needed: requested, free: w.base.free))
                    return 0
                }
                fee = fees.fee(for: tradeInfo(o, price: price, quantity: quantity, liquidity: liquidity))
                shrunk = true
            }
            w.base.free -= quantity + fee.base
            w.quote.free += price * quantity - fee.quote
        }
        state.wallet = w
        volumeUsed += quantity
        recordVolume(price * quantity)

        let filledBefore = o.filledQuantity
        // Short of funds only for fees or rounding: the order becomes what the balance affords.
        if shrunk { o.quantity = filledBefore + quantity }
        o.filledQuantity += quantity
        o.averagePrice = (o.averagePrice * filledBefore + price * quantity) / o.filledQuantity
        o.status = o.remaining <= Self.epsilon ? .filled : .partiallyFilled
        hasNewFills = true
        newFills.append(
            Fill(
                seq: state.nextSeq, orderId: o.id, time: state.barTime, barIndex: state.barIndex, side: o.side,
                price: price, quantity: quantity, feeBase: fee.base, feeQuote: fee.quote, liquidity: liquidity,
                tag: o.tag))
        state.nextSeq += 1
        if o.status == .filled { releaseHeld(&o) }
        return quantity
    }

    /// What a fill of `o` sets off among the other orders: its OCO partner shrinks, and a filled
    /// entry places its bracket.
    private mutating func settle(_ o: Order, filled quantity: Double) {
        if let other = o.ocoId { reduceOCO(other, by: quantity) }
        if o.status == .filled && (o.takeProfit != nil || o.stopLoss != nil) { placeBracket(for: o) }
    }

    private func tradeInfo(_ o: Order, price: Double, quantity: Double, liquidity: Liquidity) -> TradeInfo {
        TradeInfo(
            side: o.side, orderType: o.type, liquidity: liquidity, price: price, quantity: quantity,
            trailingVolume: feesUseTrailingVolume ? state.trailingVolume(day: Self.day(state.barTime)) : 0)
    }

    private mutating func recordVolume(_ notional: Double) {
        let day = Self.day(state.barTime)
        if let last = state.volumeByDay.last, last.day == day {
            state.volumeByDay[state.volumeByDay.count - 1].notional += notional
        } else {
            state.volumeByDay.append(.init(day: day, notional: notional))
            state.volumeByDay.removeAll { $0.day <= day - 30 }
        }
    }

    private static func day(_ ms: Int64) -> Int64 { ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000 }

    /// The other leg of an OCO pair shrinks by what this leg filled, and ends when nothing is left.
    private mutating func reduceOCO(_ id: OrderID, by quantity: Double) {
        guard let k = slot(of: id), state.open[k].status.isOpen else { return }
        var other = state.open[k]
        other.quantity = max(other.filledQuantity, other.quantity - quantity)
        if other.remaining <= Self.epsilon { finish(&other, .canceled, reason: nil) }
        state.open[k] = other
    }

    /// Places the take-profit and stop-loss of a filled entry, one-cancels-the-other.
    private mutating func placeBracket(for parent: Order) {
        let side = parent.side.opposite
        let quantity = instrument.roundQuantity(parent.filledQuantity)
        let takeProfit = parent.takeProfit.map {
            appendOrder(
                side: side, type: .limit, quantity: quantity, limit: $0, stop: nil, tag: "take_profit",
                parent: parent.id)
        }
        let stopLoss = parent.stopLoss.map {
            appendOrder(
                side: side, type: .stop, quantity: quantity, limit: nil, stop: $0, tag: "stop_loss", parent: parent.id)
        }
        if let takeProfit, let stopLoss {
            // The legs are the last two working orders.
            let n = state.open.count
            state.open[n - 2].ocoId = stopLoss
            state.open[n - 1].ocoId = takeProfit
        }
    }

    private mutating func newOrder(
        side: OrderSide, type: OrderType, quantity: Double, limit: Double?, stop: Double?, tag: InlineString,
        parent: OrderID?, timeInForce: TimeInForce = .gtc, postOnly: Bool = false, takeProfit: Double? = nil,
        stopLoss: Double? = nil
    ) -> Order {
        let id = state.nextOrderId
        state.nextOrderId += 1
        return Order(
            id: id, side: side, type: type, quantity: quantity, limitPrice: limit, stopPrice: stop,
            timeInForce: timeInForce, postOnly: postOnly, status: .pending, filledQuantity: 0, averagePrice: 0,
            createdAt: state.barTime, createdBar: state.barIndex, triggered: false, rejectReason: nil, tag: tag,
            parentId: parent, ocoId: nil, takeProfit: takeProfit, stopLoss: stopLoss, held: 0)
    }

    private mutating func appendOrder(
        side: OrderSide, type: OrderType, quantity: Double, limit: Double?, stop: Double?, tag: InlineString,
        parent: OrderID?
    ) -> OrderID {
        let o = newOrder(side: side, type: type, quantity: quantity, limit: limit, stop: stop, tag: tag, parent: parent)
        state.open.append(o)
        return o.id
    }

    private mutating func releaseHeld(_ o: inout Order) {
        guard o.held != 0 else { return }
        if o.side == .buy {
            state.wallet.quote.held -= o.held
            state.wallet.quote.free += o.held
        } else {
            state.wallet.base.held -= o.held
            state.wallet.base.free += o.held
        }
        o.held = 0
    }

    private mutating func finish(_ o: inout Order, _ status: OrderStatus, reason: RejectReason?) {
        releaseHeld(&o)
        o.status = status
        o.rejectReason = reason
        if status == .rejected { state.rejectedOrders += 1 }
    }

    // MARK: Orders

    @discardableResult
    public mutating func submit(_ r: OrderRequest) -> OrderID {
        var o = newOrder(
            side: r.side, type: r.type, quantity: instrument.roundQuantity(r.quantity),
            limit: r.limitPrice.map(instrument.roundPrice), stop: r.stopPrice.map(instrument.roundPrice), tag: r.tag,
            parent: nil, timeInForce: r.timeInForce, postOnly: r.postOnly,
            takeProfit: r.takeProfit.map(instrument.roundPrice), stopLoss: r.stopLoss.map(instrument.roundPrice))
        if let reason = validate(o) {
            finish(&o, .rejected, reason: reason)
            archive(o)
            return o.id
        }
        if r.type == .market && config.marketFill == .close {
            // Filled (or refused) at once: the order never becomes a working order.
            let filled = execute(
                &o, price: instrument.roundPrice(slipped(state.barClose, r.side)), quantity: o.quantity,
                liquidity: .taker)
            if filled > 0 && o.hasLinkedOrders { settle(o, filled: filled) }
            if o.status.isOpen { finish(&o, .canceled, reason: nil) }
            archive(o)
            return o.id
        }
        hold(&o)
        state.open.append(o)
        return o.id
    }

    /// The price an order is expected to trade at, for checks and reservations.
    private func referencePrice(_ o: Order) -> Double {
        o.limitPrice ?? o.stopPrice ?? state.barClose
    }

    @inline(__always)
    private func validate(_ o: Order) -> RejectReason? {
        if o.tag.isTruncated { return .tagTooLong }
        if o.quantity <= Self.epsilon { return .quantityNotPositive }
        if o.quantity < instrument.minQuantity {
            return .belowMinQuantity(quantity: o.quantity, minimum: instrument.minQuantity)
        }
        if (o.type == .limit || o.type == .stopLimit) && o.limitPrice == nil { return .missingLimitPrice }
        if (o.type == .stop || o.type == .stopLimit) && o.stopPrice == nil { return .missingStopPrice }
        if let p = o.limitPrice, !(p > 0) { return .priceNotPositive }
        if let p = o.stopPrice, !(p > 0) { return .priceNotPositive }
        if let p = o.takeProfit, !(p > 0) { return .priceNotPositive }
        if let p = o.stopLoss, !(p > 0) { return .priceNotPositive }
        let ref = referencePrice(o)
        if ref * o.quantity < instrument.minNotional {
            return .belowMinNotional(notional: ref * o.quantity, minimum: instrument.minNotional)
        }
        if let tp = o.takeProfit, o.side == .buy ? tp <= ref : tp >= ref {
            return .invalidBracket(.takeProfitOnTheLossSide)
        }
        if let sl = o.stopLoss, o.side == .buy ? sl >= ref : sl <= ref {
            return .invalidBracket(.stopLossOnTheProfitSide)
        }
        if o.postOnly, o.type == .limit, let limit = o.limitPrice,
            o.side == .buy ? limit >= state.barClose : limit <= state.barClose
        {
            return .wouldCrossAsMaker
        }
        let w = state.wallet
        if o.side == .buy {
            let needed = ref * o.quantity
            if needed > w.quote.free * (1 + 1e-9) + Self.epsilon {
                return .insufficientBalance(asset: InlineString(instrument.quote), needed: needed, free: w.quote.free)
            }
        } else if !config.allowShort && o.quantity > w.base.free * (1 + 1e-9) + Self.epsilon {
            return .insufficientBalance(asset: InlineString(instrument.base), needed: o.quantity, free: w.base.free)
        }
        return nil
    }

    /// Reserves the funds a working order may spend.
    private mutating func hold(_ o: inout Order) {
        if o.side == .buy {
            let amount = min(referencePrice(o) * o.remaining, max(0, state.wallet.quote.free))
            state.wallet.quote.free -= amount
            state.wallet.quote.held += amount
            o.held = amount
        } else {
            let amount = min(o.remaining, max(0, state.wallet.base.free))
            state.wallet.base.free -= amount
            state.wallet.base.held += amount
            o.held = amount
        }
    }

    /// Cancels a working order; canceling one leg of an OCO pair cancels the other too (as on
    /// Binance).
    @discardableResult
    public mutating func cancel(_ id: OrderID) -> Bool {
        guard let k = slot(of: id), state.open[k].status.isOpen else { return false }
        var o = state.open[k]
        finish(&o, .canceled, reason: nil)
        state.open[k] = o
        if let other = o.ocoId, let j = slot(of: other), state.open[j].status.isOpen {
            var partner = state.open[j]
            finish(&partner, .canceled, reason: nil)
            state.open[j] = partner
        }
        sweep()
        return true
    }

    @discardableResult
    public mutating func modify(_ id: OrderID, quantity: Double?, limitPrice: Double?, stopPrice: Double?) -> Bool {
        guard let k = slot(of: id), state.open[k].status.isOpen else { return false }
        let old = state.open[k]
        var o = old
        if let q = quantity { o.quantity = instrument.roundQuantity(q) }
        if let p = limitPrice { o.limitPrice = instrument.roundPrice(p) }
        if let p = stopPrice { o.stopPrice = instrument.roundPrice(p) }
        guard o.quantity > o.filledQuantity + Self.epsilon else { return false }
        releaseHeld(&o)
        if validate(o.remainingOnly) != nil {
            // Refused: the order stays as it was, holding again what it held.
            var restored = old
            restored.held = 0
            hold(&restored)
            state.open[k] = restored
            return false
        }
        hold(&o)
        state.open[k] = o
        return true
    }
}

extension Order {
    /// Whether a fill of this order affects others (an OCO partner, a bracket to place).
    fileprivate var hasLinkedOrders: Bool { ocoId != nil || takeProfit != nil || stopLoss != nil }

    /// The order as if only its remaining quantity were new, for re-validation after a modify.
    fileprivate var remainingOnly: Order {
        var o = self
        o.quantity = remaining
        o.filledQuantity = 0
        return o
    }
}
