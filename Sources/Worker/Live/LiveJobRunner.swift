import ATSEngine
import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging

/// Runs a live job (issue 17; docs/LIVE.md): the strategy trades the venue on each closed candle
/// of the worker's shared stream. Each order it queues on its ``ExternalVenue`` is fitted to the
/// symbol's filters in decimal, given the next client order id, written as an intent the
/// coordinator must accept under the job's epoch and live lease (``IntentGate``), and only then
/// placed, once (``OrderPlacer``). Executions — from the order's FULL answer, the user data stream,
/// or a refill after a gap — are counted once (``TradeLedger``), move the job's wallet, reach the
/// strategy, and go to the coordinator as facts (`VenueFills`) and as the job's fills.
///
/// Every run reconciles before it trades (state RECONCILING; ``LiveReconciler``): a resumed run
/// settles the orders its checkpoint names in flight, refills its trades from the checkpoint's
/// watermark in trade id order, adopts the job's open orders it did not know, and halts the job
/// if the account's balances cannot hold what its facts say it has. Before every intent it
/// writes a checkpoint that names the order in flight, so a successor never decides an order
/// again that may have been sent. Not yet: risk limits and the kill switch (slice 7).
struct LiveJobRunner: Sendable {
    let assignment: AssignJob
    let control: JobControl
    let lease: LeaseGuard
    let generation: Int
    let output: JobOutput
    let feed: MarketFeed
    let verdicts: IntentVerdicts
    let registry: Registry
    let logger: Logger
    var checkpointInterval: Duration = .seconds(10)
    var leaseCheck: Duration = .seconds(1)

    var clock: any JobClock { lease.time }

    func run() async {
        do {
            try await execute()
        } catch let refused as IntentGate.Refused {
            // The coordinator no longer counts this run as the job's, or the lease lapsed while it
            // waited for the verdict: it stops, sending nothing more.
            if !lease.isValid(generation: generation) {
                logger.fenced("live job")
            } else {
                logger.warning(
                    "live run ended: an order intent was refused", metadata: ["reason": "\(refused.reason)"])
            }
        } catch is Interrupted {
            // Stopped, released or fenced while the venue did not answer: the stored checkpoint
            // (taken before any intent, naming the orders in flight) stays the job's.
            let outcome: JobFinished.Outcome = control.request == .stop ? .stopped : .released
            if !lease.isValid(generation: generation) {
                logger.fenced("live job")
            } else {
                logger.info("live run ended while waiting for the venue", metadata: ["outcome": "\(outcome)"])
            }
            await output.send { .finished(JobFinished(header: $0, outcome: outcome, statistics: [])) }
        } catch {
            logger.warning("job failed", metadata: ["error": "\(error)"])
            await output.failed(error)
        }
    }

    private func execute() async throws {
        let began = ContinuousClock.now
        let spec = try JobSpec.decode(json: Data(assignment.spec))
        let run = try spec.validate(with: registry)
        guard let market = spec.market, let length = BinanceKline.length(of: market.interval),
            let endpoint = BinanceEndpoint.named(market.endpoint)
        else { throw RunnerError("the live job names no usable market") }
        guard let credential = VenueCredential.decode(assignment.venueCredential) else {
            throw RunnerError(
                "the coordinator sent no credentials for \"\(spec.credentials ?? "")\" (no master key, the credential was removed, or this worker's connection is neither TLS nor local: set ATS_TLS_* on both sides)"
            )
        }
        let signer: BinanceSigner
        switch credential.keyType {
        case "ed25519":
            guard let raw = BinanceSigner.ed25519RawKey(from: credential.secret) else {
                throw RunnerError("credential \(credential.name): not an Ed25519 private key")
            }
            signer = BinanceSigner(.ed25519(rawPrivateKey: raw))
        default: signer = BinanceSigner(.hmac(secret: credential.secret))
        }
        let credentials = BinanceCredentials(apiKey: credential.apiKey, signer: signer)
        let rest = try BinanceRESTClient(endpoint: endpoint, credentials: credentials, logger: logger)
        defer { rest.shutdown() }
        await output.send { .started(JobStarted(header: $0, barsTotal: 0, phase: JobStarted.reconciling)) }
        _ = try await untilAnswered("the venue's clock") { try await rest.syncClock() }
        let info = try await untilAnswered("exchangeInfo") { try await rest.exchangeInfo(symbol: market.symbol) }
        let filters = info.filters

        let restored = assignment.checkpoint.isEmpty ? nil : try LiveCheckpoint.decode(assignment.checkpoint)
        let instrument = Instrument(
            base: run.instrument.base, quote: run.instrument.quote, tickSize: filters.price?.step.double ?? 0,
            stepSize: filters.lot?.step.double ?? 0, minQuantity: filters.lot?.minimum.double ?? 0,
            minNotional: filters.notional?.minimum?.double ?? 0)
        let allocation = Wallet(
            base: Balance(free: spec.run.portfolio.base), quote: Balance(free: spec.run.portfolio.cash))
        var book = LiveBook(
            session: try registry.makeLiveSession(
                run, venue: ExternalVenue(instrument: instrument, wallet: allocation), checkpoint: restored?.engine),
            instrument: instrument, job: assignment.jobId, epoch: assignment.epoch, lengthMs: length, restored: restored
        )
        // Without limits the gate still keeps the day's baseline (the account's budget reads it).
        let limits = spec.risk ?? RiskLimits()
        var risk = book.risk ?? RiskGate(limits: limits)
        risk.resume(limits: limits)
        book.risk = risk
        var sequencer = KlineSequencer(length: length, lastOpenTime: book.lastOpenTime)
        var revisions = RevisionCursor(assignment)
        var revision = revisions.revision
        var prior = Dictionary(assignment.priorIntents.map { ($0.clientOrderId, $0) }) { a, _ in a }
        let placer = OrderPlacer(client: rest)
        let gate = IntentGate(output: output, verdicts: verdicts)
        let reconciler = LiveReconciler(
            rest: rest, symbol: market.symbol, job: assignment.jobId, began: began, logger: logger)

        let subscription = try await feed.subscribe(market)
        let filler = KlineGapFiller(
            symbol: market.symbol, interval: market.interval, rest: subscription.rest, logger: logger)
        let stream = BinanceUserStream(
            url: endpoint.webSocketAPI, credentials: credentials, logger: logger, venueNowMs: { rest.venueNowMs() })
        let clock = self.clock
        let events = MarketEvents(
            candles: subscription.candles, control: control, clock: clock, leaseCheck: leaseCheck,
            lapse: { [lease] in lease.remaining() }, user: stream)
        defer { events.cancel() }
        logger.info(
            "live job reconciling",
            metadata: [
                "market": "\(market.symbol)@\(market.interval) \(market.endpoint)", "credential": "\(credential)",
                "from_candle": "\(book.session.cursor)", "in_flight": "\(book.inFlight.count)",
                "working": "\(book.working.count)",
            ])

        var lastCheckpointAt = clock.elapsed
        var lastCheckpointBar = book.session.cursor
        var lastProgressBar = -1
        var lastClose = 0.0
        var serial: Int64 = 0
        /// Candles that closed while the run reconciled: traded once it is done.
        var reconciling = true
        /// Stopped by the kill switch: the loop ends.
        var halted = false
        /// Why the job's risk limits halted it (the job then fails once its orders are cancelled).
        var riskHalted: String?
        var held: [BinanceKline] = []
        var recorder = CandleRecorder(market: market, rules: instrument)
        let symbol = market.symbol

        /// The candles traded so far, then the executions and fills: a stored fill's candle is
        /// on record.
        func flush() async {
            for seen in recorder.take() { await output.send(seen) }
            if !book.unsentVenue.isEmpty {
                let fills = book.unsentVenue
                book.unsentVenue = []
                await output.send {
                    .venueFills(VenueFills(header: $0, venue: market.venue, symbol: symbol, fills: fills))
                }
            }
            if !book.unsentFills.isEmpty { await output.flush(&book.unsentFills, revision: revision) }
        }
        func checkpoint() async throws {
            // Never while reconciling: the restored state still names its predecessor's orders in
            // flight, and a checkpoint would replace the one the next run needs (with the intents
            // stored since it).
            guard !reconciling else { return }
            await flush()
            serial += 1
            let state = try book.checkpoint().encoded()
            try await output.checkpoint(
                state: state, cursor: book.session.cursor, nextFillSeq: book.session.venue.nextFill,
                revision: revision, dataHash: "", serial: serial)
            lastCheckpointAt = clock.elapsed
            lastCheckpointBar = book.session.cursor
        }
        func lastPrice() -> Double { lastClose > 0 ? lastClose : book.session.venue.lastPrice }
        func progress() async {
            let done = Int64(book.session.cursor)
            let price = lastPrice()
            let equity = book.session.venue.wallet.equity(at: price)
            // What the account's budget counts: the job's base at the last close and its open orders.
            let exposure =
                abs(book.session.venue.wallet.base.total) * price
                + book.session.venue.openOrders.reduce(0) { $0 + $1.remaining * ($1.limitPrice ?? price) }
            let dayPnl = book.risk.map { $0.day == nil ? 0 : equity - $0.dayStartEquity } ?? 0
            let curve = CurvePoint.onTheMinute(
                bar: done - 1, openTime: book.lastOpenTime, close: price, equity: equity,
                plots: book.session.plotNow())
            let plots = curve.isEmpty ? [] : book.session.plots
            await output.send {
                .progress(
                    JobProgress(
                        header: $0, barsDone: done, barsTotal: done, equity: equity, curve: curve, exposure: exposure,
                        dayPnl: dayPnl, plots: plots))
            }
            lastProgressBar = book.session.cursor
        }
        func resolve(_ r: LiveReconciler.Resolution) async {
            await output.send {
                .intentResolved(
                    OrderIntentResolved(
                        header: $0, clientOrderId: r.clientOrderId, state: r.state, venueOrderId: r.venueOrderId,
                        code: r.code, message: r.message))
            }
        }
        /// The orders the strategy queued, each written as an intent after a checkpoint that
        /// names it in flight, then allowed out by the verdict and placed once.
        func place(at close: VenueDecimal?, stale: Bool, again: Bool = true) async throws {
            for id in book.session.venue.takeCancellations() {
                // The order ends when the stream reports it canceled, after its last execution.
                guard let clientId = book.working.first(where: { $0.value == id })?.key,
                    let cid = ClientOrderId(clientId)
                else { continue }
                await cancelAtVenue(cid, symbol: symbol, rest: rest)
            }
            var orders: [Outgoing] = []
            let submitted = book.session.venue.takeSubmissions()
            for order in submitted {
                // A decision made on an old candle is not sent; a bracket's leg or exit is not a
                // decision but the protection of a position held, and goes out whatever the candle.
                if stale && order.parentId == nil {
                    book.session.venue.rejected(order.id, reason: .staleMarket)
                    continue
                }
                // A bracket's stop leg goes out with its take-profit partner as one OCO order list
                // (below); a stop alone is a STOP_LOSS order.
                if order.type == .stop, let partner = order.ocoId, submitted.contains(where: { $0.id == partner }) {
                    continue
                }
                let stopLeg = order.ocoId.flatMap { p in submitted.first { $0.id == p && $0.type == .stop } }
                let side: SymbolFilters.Side = order.side == .buy ? .buy : .sell
                guard let quantity = VenueDecimal(order.quantity) else {
                    book.session.venue.rejected(order.id, reason: .quantityNotPositive)
                    continue
                }
                // The price fitted to the filters: a limit's, or a stop's trigger.
                let price =
                    order.type == .limit
                    ? order.limitPrice.flatMap { VenueDecimal($0) }
                    : order.type == .stop ? order.stopPrice.flatMap { VenueDecimal($0) } : nil
                // Read before the gate is changed: `book` is one variable (exclusive access).
                let position = book.session.venue.wallet.base.total
                if let refusal = book.risk?.check(
                    side: order.side, quantity: order.quantity,
                    price: order.limitPrice ?? order.stopPrice ?? close?.double ?? 0,
                    position: position, nowMs: rest.venueNowMs(), exit: order.parentId != nil)
                {
                    logger.notice("order refused by the job's risk limits", metadata: ["why": "\(refusal)"])
                    book.session.venue.rejected(order.id, reason: .riskLimit(ReasonText(refusal.description)))
                    continue
                }
                switch filters.fit(side: side, quantity: quantity, price: price, marketPrice: close) {
                case .success(let fitted):
                    let type: BinanceOrders.OrderType =
                        order.type == .market ? .market : order.postOnly ? .limitMaker : .limit
                    let tif: BinanceOrders.TimeInForce? =
                        type == .limit
                        ? (order.timeInForce == .ioc ? .ioc : order.timeInForce == .fok ? .fok : .gtc) : nil
                    if order.type == .stop {
                        orders.append(
                            Outgoing(
                                side: side, type: .stopLoss, timeInForce: nil,
                                fitted: .init(quantity: fitted.quantity, price: nil),
                                clientOrderId: book.take(order.id),
                                stopPrice: fitted.price))
                        break
                    }
                    guard let stopLeg else {
                        orders.append(
                            Outgoing(
                                side: side, type: type, timeInForce: tif, fitted: fitted,
                                clientOrderId: book.take(order.id)))
                        break
                    }
                    // The OCO: a LIMIT_MAKER take-profit and a STOP_LOSS, the stop on the tick too.
                    guard let stopPrice = stopLeg.stopPrice.flatMap({ VenueDecimal($0) }),
                        case .success(let stopFitted) = filters.fit(
                            side: side, quantity: fitted.quantity, price: stopPrice, marketPrice: close),
                        let fittedStop = stopFitted.price
                    else {
                        book.session.venue.rejected(order.id, reason: .venueRefused(code: -1013))
                        book.session.venue.rejected(stopLeg.id, reason: .venueRefused(code: -1013))
                        continue
                    }
                    let cid = book.take(order.id)
                    orders.append(
                        Outgoing(
                            side: side, type: .limitMaker, timeInForce: nil, fitted: fitted, clientOrderId: cid,
                            stop: .init(stopPrice: fittedStop, clientOrderId: book.take(stopLeg.id))))
                case .failure(let e):
                    // Refused here as the venue would refuse it: a rejection like the venue's.
                    book.session.venue.rejected(order.id, reason: .venueRefused(code: e.code))
                    if let stopLeg { book.session.venue.rejected(stopLeg.id, reason: .venueRefused(code: e.code)) }
                    if book.risk?.venueRejected() == true { riskHalted = book.risk?.haltReason }
                }
            }
            try await send(orders)
            // A refused bracket's exit, queued by `send`, goes out now rather than a candle later.
            if again, !book.session.venue.submissions.isEmpty { try await place(at: close, stale: stale, again: false) }
        }
        /// Orders given their client ids, in flight: a checkpoint naming them, then each written
        /// as an intent, allowed out by the verdict, and placed once.
        func send(_ orders: [Outgoing], reduceOnly: Bool = false) async throws {
            guard !orders.isEmpty else { return }
            // Before any intent: a checkpoint naming these orders in flight (docs/LIVE.md).
            try await checkpoint()
            for o in orders {
                // Fenced while an earlier one was placed: the rest wait for the successor.
                guard lease.isValid(generation: generation) else { throw Interrupted() }
                if riskHalted != nil {
                    // Halted by an earlier order's rejection: the rest are not sent.
                    book.refused(o.clientOrderId.description, reason: .riskLimit("the job was halted"))
                    continue
                }
                let decidedAt = rest.venueNowMs()
                let decidedOn = book.lastOpenTime ?? 0
                // For the account's budget: what the order is worth, and whether it only shrinks
                // the job's position.
                let quantity = o.fitted.quantity.double
                let notional = quantity * ((o.fitted.price ?? o.stopPrice)?.double ?? lastPrice())
                let resting = book.session.venue.openOrders.filter { $0.side == .sell }.reduce(0) {
                    $0 + $1.remaining
                }
                // The order itself is among the open ones: its own quantity is not counted twice.
                let reduces =
                    o.side == .sell && resting <= book.session.venue.wallet.base.total + 1e-12
                let cid = o.clientOrderId
                let id = cid.description
                let outcome: OrderPlacer.Outcome
                do {
                    outcome = try await whileLeaseHolds { [placer, gate, symbol, lease, generation] in
                        try await placer.place(
                            OrderPlacer.Request(
                                symbol: symbol, side: o.side, type: o.type, timeInForce: o.timeInForce,
                                fitted: o.fitted, clientOrderId: cid, stop: o.stop, stopPrice: o.stopPrice),
                            persist: { cid in
                                // An OCO's legs: two intents, both accepted before the list goes out.
                                let list = o.stop == nil ? "" : cid.listClientOrderId
                                try await gate.write(
                                    cid, symbol: symbol, side: o.side, type: o.type, timeInForce: o.timeInForce,
                                    fitted: o.fitted, decidedAtMs: decidedAt, reduceOnly: reduceOnly,
                                    notional: notional, reduces: reduces, candleOpenMs: decidedOn,
                                    stopPrice: o.stopPrice, listClientOrderId: list)
                                if let stop = o.stop {
                                    try await gate.write(
                                        stop.clientOrderId, symbol: symbol, side: o.side, type: .stopLoss,
                                        timeInForce: nil, fitted: .init(quantity: o.fitted.quantity, price: nil),
                                        decidedAtMs: decidedAt, reduceOnly: reduceOnly, notional: notional,
                                        reduces: reduces, candleOpenMs: decidedOn, stopPrice: stop.stopPrice,
                                        listClientOrderId: list)
                                }
                            }, authorize: { lease.isValid(generation: generation) })
                    }
                } catch let refused as IntentGate.Refused where refused.keepsJob {
                    // Never stored, never sent: the kill switch holds the job (its stop follows), or
                    // the account's budget refused the order. The strategy sees it refused.
                    logger.warning("order not sent: \(refused.reason)", metadata: ["client_order_id": "\(cid)"])
                    book.refused(id, reason: .riskLimit(ReasonText(refused.reason)))
                    if let stop = o.stop {
                        // The limit leg's intent may be stored: it was never sent.
                        book.refused(stop.clientOrderId.description, reason: .riskLimit(ReasonText(refused.reason)))
                        await resolve(.init(clientOrderId: id, state: "not_placed"))
                    }
                    continue
                }
                // Refused because the market is already past a price of a filled entry's bracket:
                // the leg the market is past goes out at market (the backtest's exchange fills a
                // crossed leg at the next bar), or the position would be held with no exit at all.
                var pastPrice: Double?
                if case .rejected(let code, let message) = outcome.state,
                    BinanceOrders.refusedAsMarketIsPast(code: code, message: message), book.isBracketLeg(id)
                {
                    pastPrice = (try? await rest.price(symbol: symbol))?.double ?? lastPrice()
                }
                // An OCO is placed whole or not at all: its stop leg shares the outcome.
                var legs = [(id, outcome.state.venueOrderId)]
                if let stop = o.stop?.clientOrderId {
                    var venueId = outcome.list?.orders.first { $0.clientOrderId == stop.description }?.orderId
                    if venueId == nil, outcome.state.venueOrderId != nil {
                        venueId = await rest.queryOrder(symbol: symbol, clientOrderId: stop).1?.orderId
                    }
                    legs.append((stop.description, venueId))
                }
                for (leg, venueId) in legs {
                    var resolution = LiveReconciler.Resolution(clientOrderId: leg, state: "unknown")
                    switch outcome.state {
                    case .accepted:
                        // Its executions and its end come from the user data stream, in trade id order.
                        guard let venueId else {
                            prior[leg] = PriorIntent(clientOrderId: leg, state: "unknown")
                            continue
                        }
                        book.accepted(leg, venueOrderId: venueId)
                        resolution = .init(clientOrderId: leg, state: "accepted", venueOrderId: venueId)
                    case .rejected(let code, let message):
                        if let pastPrice, book.exitCrossedBracket(leg, marketPrice: pastPrice) {
                            logger.warning(
                                "the venue refused a bracket the market is already past: exiting at market",
                                metadata: ["client_order_id": "\(leg)", "price": "\(pastPrice)", "why": "\(message)"])
                        } else {
                            book.rejected(leg, code: code)
                        }
                        resolution = .init(clientOrderId: leg, state: "rejected", code: Int64(code), message: message)
                    case .notPlaced:
                        book.notPlaced(leg)
                        resolution = .init(clientOrderId: leg, state: "not_placed")
                    default:
                        // Sent, outcome unknown: stays in flight; the next refill or a resumed run settles it.
                        prior[leg] = PriorIntent(clientOrderId: leg, state: "unknown")
                        logger.error("order outcome unknown", metadata: ["client_order_id": "\(leg)"])
                    }
                    await resolve(resolution)
                }
                switch outcome.state {
                case .accepted: book.risk?.venueAccepted()
                case .rejected where pastPrice == nil:
                    if book.risk?.venueRejected() == true { riskHalted = book.risk?.haltReason }
                default: break
                }
            }
        }
        /// Every open order of the job cancelled by its client id; then its executions up to the
        /// cancels, and the orders' ends, from the venue.
        func cancelAll() async throws {
            for cid in book.working.keys.sorted() where !book.inFlight.contains(cid) {
                guard let id = ClientOrderId(cid) else { continue }
                await cancelAtVenue(id, symbol: symbol, rest: rest)
            }
            try await reconciler.refill(&book)
        }
        /// The kill switch (docs/LIVE.md "Kill switch"): every open order of the job cancelled by
        /// its client id, the position traded back to the allocation when asked (a reduce-only
        /// intent, the one kind the coordinator still stores for a held job), then stopped.
        func halt(flatten: Bool) async throws {
            logger.warning("kill switch: cancelling the job's open orders", metadata: ["flatten": "\(flatten)"])
            // Orders whose outcome is unknown are settled first, so that none is left out.
            for r in try await reconciler.settleInFlight(&book, prior: prior, leave: { [self] in mustLeave }) {
                await resolve(r)
            }
            // Orders queued and never sent (a bracket settled just now among them) are dropped: a
            // kill sends nothing but cancels and the flatten, and none must wait in the checkpoint.
            for o in book.session.venue.takeSubmissions() { book.session.venue.canceled(o.id) }
            try await cancelAll()
            if !book.working.isEmpty {
                // A cancel not answered (a limit, a timeout): asked again once, then the kill is
                // not carried out and the job fails, to be killed again, rather than reporting
                // stopped with orders resting.
                try await Task.sleep(for: .seconds(1))
                try await cancelAll()
                guard book.working.isEmpty else {
                    throw RunnerError(
                        "kill switch: \(book.working.count) orders could not be cancelled (\(book.working.keys.sorted().joined(separator: ", "))); kill the job again"
                    )
                }
            }
            // A flatten trades only what the job's facts say it holds, and only if the account
            // holds it: never another job's base.
            let unexplained = flatten ? try await reconciler.unexplainedBalance(book) : nil
            if let unexplained {
                logger.critical(
                    "kill switch: not flattening, a balance the job's facts cannot explain",
                    metadata: ["detail": "\(unexplained)"])
            }
            if flatten && unexplained == nil {
                let net = book.session.venue.wallet.base.total - allocation.base.total
                let side: SymbolFilters.Side = net > 0 ? .sell : .buy
                let last = book.session.venue.lastPrice
                if let quantity = VenueDecimal(abs(net)), quantity > .zero {
                    switch filters.fit(
                        side: side, quantity: quantity, price: nil, marketPrice: last > 0 ? VenueDecimal(last) : nil)
                    {
                    case .success(let fitted):
                        let engineId = book.session.venue.adopt(
                            side: side == .sell ? .sell : .buy, type: .market, quantity: fitted.quantity.double,
                            limitPrice: nil, tag: "flatten")
                        try await send(
                            [
                                Outgoing(
                                    side: side, type: .market, timeInForce: nil, fitted: fitted,
                                    clientOrderId: book.take(engineId))
                            ], reduceOnly: true)
                        try await reconciler.refill(&book)
                    case .failure(let e):
                        logger.warning(
                            "kill switch: the position is below what the venue trades; left",
                            metadata: ["net": "\(net)", "filter": "\(e)"])
                    }
                }
            }
            await flush()
            try await checkpoint()
            await progress()
            // The kill is carried out: the coordinator records it before the stop.
            await output.send { .started(JobStarted(header: $0, barsTotal: 0, phase: "halted")) }
            await output.send { .finished(JobFinished(header: $0, outcome: .stopped, statistics: [])) }
            logger.warning(
                "kill switch: job stopped",
                metadata: ["working": "\(book.working.count)", "base": "\(book.session.venue.wallet.base.total)"])
        }
        func trade(_ c: BinanceKline) async throws {
            while let due = try revisions.nextDue(
                at: book.session.cursor, control: control, strategy: run.strategy.descriptor)
            {
                await flush()
                try book.session.replaceStrategy(parameters: due.parameters)
                revision = due.revision
                let bar = Int64(book.session.cursor)
                let applied = due.revision
                await output.send { .reloadApplied(ReloadApplied(header: $0, revision: applied, bar: bar)) }
            }
            recorder.traded(c, bar: book.session.cursor)
            book.session.step(c.bar)
            book.lastOpenTime = c.openTime
            lastClose = c.close.double
            let equity = book.session.venue.wallet.equity(at: lastClose)
            if let state = book.risk?.observe(equity: equity, nowMs: c.openTime + length) {
                logger.warning("risk state changed", metadata: ["state": "\(state.rawValue)"])
                let phase = state == .reducing ? "reducing" : ""
                await output.send { .started(JobStarted(header: $0, barsTotal: 0, phase: phase)) }
            }
            let stale = Reconciliation.isStale(openTime: c.openTime, lengthMs: length, venueNowMs: rest.venueNowMs())
            try await place(at: c.close, stale: stale)
            if let why = riskHalted { try await haltForRisk(why) }
        }
        /// Too many rejections in a row: the job's open orders cancelled, then the job fails with
        /// the reason (an operator decides whether it trades again: `ats job start`).
        func haltForRisk(_ why: String) async throws {
            logger.critical("risk limits halted the live job", metadata: ["why": "\(why)"])
            try? await cancelAll()
            await flush()
            throw RunnerError("risk: halted: \(why); its open orders were cancelled")
        }
        /// The candles to trade up to `candle`, the missed ones fetched from the venue: waited for
        /// while the venue does not answer (the sequencer moves only once they are all in).
        func candlesThrough(_ candle: BinanceKline) async throws -> [BinanceKline] {
            try await untilAnswered("missed candles") {
                var trial = sequencer
                let out = try await filler.deliver(candle, sequencer: &trial)
                sequencer = trial
                return out
            }
        }
        /// The first subscription: settle the predecessor's orders and trades, check the balances,
        /// then trade the candles that closed meanwhile.
        func reconcile() async throws {
            try await untilAnswered("reconciliation") {
                for r in try await reconciler.settleInFlight(&book, prior: prior, leave: { [self] in mustLeave }) {
                    await resolve(r)
                }
                if !book.hasWatermark {
                    // A new job: its trades are the ones after the account's latest.
                    book.startTrades(after: try await rest.latestTradeId(symbol: symbol))
                }
                try await reconciler.refill(&book)
            }
            if !assignment.halt.isEmpty {
                // Held by the kill switch: this run only cancels (and flattens), then stops.
                reconciling = false
                held = []
                try await halt(flatten: assignment.haltFlatten)
                halted = true
                return
            }
            if let problem = try await untilAnswered("balances", { try await reconciler.unexplainedBalance(book) }) {
                await flush()
                logger.critical(
                    "live job halted: a balance its facts cannot explain", metadata: ["detail": "\(problem)"])
                throw RunnerError(
                    "reconciliation halted the job: \(problem). Nothing was placed; find what moved the account before starting it again"
                )
            }
            reconciling = false
            await output.send { .started(JobStarted(header: $0, barsTotal: 0)) }
            try await checkpoint()
            logger.info(
                "live job reconciled and trading",
                metadata: [
                    "working": "\(book.working.count)", "trades_through": "\(book.tradesThrough ?? 0)",
                    "held_candles": "\(held.count)",
                ])
            let candles = held
            held = []
            for candle in candles {
                for c in try await candlesThrough(candle) { try await trade(c) }
            }
        }

        /// Before a stop or a hand-over: the executions the stream has not delivered yet (a market
        /// order's, made a moment ago) are in `myTrades` already, so the job's fills and its
        /// checkpoint hold every trade made so far. A failure leaves it to the next run's refill.
        func settleBeforeLeaving() async {
            guard !reconciling else { return }
            do {
                try await reconciler.refill(&book)
            } catch {
                logger.warning("could not refill the trades before leaving", metadata: ["error": "\(error)"])
            }
        }

        func loop() async throws {
            for await event in events.stream {
                switch MarketRunDirective(lease: lease, generation: generation, control: control) {
                case .fence:
                    logger.fenced("live job")
                    try await checkpoint()
                    await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                    return
                case .stop:
                    await settleBeforeLeaving()
                    try await checkpoint()
                    await progress()
                    await output.send { .finished(JobFinished(header: $0, outcome: .stopped, statistics: [])) }
                    logger.info("live job stopped", metadata: ["candles": "\(book.session.cursor)"])
                    return
                case .halt(let flatten) where !reconciling:
                    try await halt(flatten: flatten)
                    return
                case .halt:
                    // Reconciliation first: the orders to cancel are known once it is done.
                    break
                case .release:
                    await settleBeforeLeaving()
                    try await checkpoint()
                    await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                    return
                case .proceed: break
                }
                switch event {
                case .candle(let candle) where reconciling:
                    held.append(candle)
                case .candle(let candle):
                    for c in try await candlesThrough(candle) { try await trade(c) }
                case .user(.event(.executionReport(let r))):
                    guard r.symbol == symbol else { break }
                    let cid = r.jobOrder?.description
                    if r.isTrade { book.book(LiveBook.Execution(r), clientOrderId: cid) }
                    if let cid, book.working[cid] != nil {
                        if book.inFlight.contains(cid) {
                            // An order whose outcome was unknown: the venue has it.
                            await resolve(.init(clientOrderId: cid, state: "accepted", venueOrderId: r.orderId))
                        }
                        book.accepted(cid, venueOrderId: r.orderId)
                        if r.status == "FILLED" {
                            book.completed(cid)
                        } else if ["CANCELED", "EXPIRED", "REJECTED", "EXPIRED_IN_MATCH"].contains(r.status) {
                            book.finished(cid)
                        }
                    }
                case .user(.subscribed) where reconciling:
                    try await reconcile()
                    if halted { return }
                    if case .halt(let flatten) = control.request {
                        try await halt(flatten: flatten)
                        return
                    }
                case .user(.subscribed):
                    // Events may have been missed: every trade since the watermark, and the ends of
                    // orders the stream did not report.
                    try await untilAnswered("a refill after a gap") {
                        for r in try await reconciler.settleInFlight(
                            &book, prior: prior, leave: { [self] in mustLeave })
                        { await resolve(r) }
                        try await reconciler.refill(&book)
                    }
                default: break
                }
                await flush()
                if reconciling { continue }
                if book.session.cursor != lastProgressBar { await progress() }
                if book.session.cursor != lastCheckpointBar
                    && (clock.elapsed - lastCheckpointAt >= checkpointInterval
                        || book.session.cursor - lastCheckpointBar >= spec.checkpointEvery)
                {
                    try await checkpoint()
                }
            }
        }
        do {
            try await loop()
        } catch {
            // Failing or interrupted: what it traded is still on record (its fills too) — unless
            // the coordinator no longer counts this run as the job's.
            if !(error is IntentGate.Refused) { await flush() }
            await feed.unsubscribe(subscription)
            throw error
        }
        await feed.unsubscribe(subscription)
    }
}
