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
/// Not yet: reconciliation on resume (slice 6: a resumed run does not yet ask the venue about its
/// predecessor's unresolved intents), risk limits and the kill switch (slice 7).
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
            // The coordinator no longer counts this run as the job's: it stops, sending nothing more.
            logger.warning("live run ended: an order intent was refused", metadata: ["reason": "\(refused.reason)"])
        } catch {
            logger.warning("job failed", metadata: ["error": "\(error)"])
            await output.failed(error)
        }
    }

    private func execute() async throws {
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
        try await rest.syncClock()
        let info = try await rest.exchangeInfo(symbol: market.symbol)
        let filters = info.filters

        let restored = assignment.checkpoint.isEmpty ? nil : try LiveCheckpoint.decode(assignment.checkpoint)
        let instrument = Instrument(
            base: run.instrument.base, quote: run.instrument.quote, tickSize: filters.price?.step.double ?? 0,
            stepSize: filters.lot?.step.double ?? 0, minQuantity: filters.lot?.minimum.double ?? 0,
            minNotional: filters.notional?.minimum?.double ?? 0)
        let allocation = Wallet(
            base: Balance(free: spec.run.portfolio.base), quote: Balance(free: spec.run.portfolio.cash))
        var session = try registry.makeLiveSession(
            run, venue: ExternalVenue(instrument: instrument, wallet: allocation), checkpoint: restored?.engine)
        var lastOpenTime = restored?.lastOpenTime
        var sequence = restored?.nextSequence ?? 0
        var working = restored?.working ?? [:]
        var venueOrders: [Int64: String] = [:]
        var sequencer = KlineSequencer(length: length, lastOpenTime: lastOpenTime)
        var ledger = TradeLedger()
        var revisions = RevisionCursor(assignment)
        var revision = revisions.revision
        let placer = OrderPlacer(client: rest)
        let gate = IntentGate(output: output, verdicts: verdicts)

        let subscription = try await feed.subscribe(market)
        let filler = KlineGapFiller(
            symbol: market.symbol, interval: market.interval, rest: subscription.rest, logger: logger)
        let stream = BinanceUserStream(
            url: endpoint.webSocketAPI, credentials: credentials, logger: logger, venueNowMs: { rest.venueNowMs() })
        let clock = self.clock
        let events = MarketEvents(
            candles: subscription.candles, control: control, clock: clock, leaseCheck: leaseCheck, user: stream)
        defer { events.cancel() }
        await output.send { .started(JobStarted(header: $0, barsTotal: 0)) }
        logger.info(
            "live job started",
            metadata: [
                "market": "\(market.symbol)@\(market.interval) \(market.endpoint)", "credential": "\(credential)",
                "from_candle": "\(session.cursor)",
            ])

        var unsentFills: [Fill] = []
        var unsentVenue: [VenueFill] = []
        var lastCheckpointAt = restored == nil ? clock.elapsed - checkpointInterval : clock.elapsed
        var lastCheckpointBar = session.cursor
        var lastProgressBar = -1
        var lastClose = 0.0
        let symbol = market.symbol

        func flush() async {
            if !unsentVenue.isEmpty {
                let fills = unsentVenue
                unsentVenue = []
                await output.send {
                    .venueFills(VenueFills(header: $0, venue: market.venue, symbol: symbol, fills: fills))
                }
            }
            if !unsentFills.isEmpty { await output.flush(&unsentFills, revision: revision) }
        }
        func checkpoint() async throws {
            await flush()
            let state = try LiveCheckpoint(
                lastOpenTime: lastOpenTime, nextSequence: sequence, working: working, engine: try session.checkpoint()
            ).encoded()
            try await output.checkpoint(
                state: state, cursor: session.cursor, nextFillSeq: session.venue.nextFill, revision: revision,
                dataHash: "")
            lastCheckpointAt = clock.elapsed
            lastCheckpointBar = session.cursor
        }
        func progress() async {
            let done = Int64(session.cursor)
            let equity = session.venue.wallet.equity(at: lastClose)
            await output.send {
                .progress(JobProgress(header: $0, barsDone: done, barsTotal: done, equity: equity, curve: []))
            }
            lastProgressBar = session.cursor
        }
        /// One execution of one of the job's orders, counted once.
        func book(
            tradeId: Int64, clientOrderId: String, venueOrderId: Int64, side: String, price: VenueDecimal,
            quantity: VenueDecimal, commission: VenueDecimal, commissionAsset: String, maker: Bool, time: Int64,
            inSequence: Bool
        ) {
            guard ledger.record(tradeId, inSequence: inSequence), let engineId = working[clientOrderId] else { return }
            let feeBase = commissionAsset == instrument.base ? commission.double : 0
            let feeQuote = commissionAsset == instrument.quote ? commission.double : 0
            unsentVenue.append(
                VenueFill(
                    tradeId: tradeId, orderId: venueOrderId, clientOrderId: clientOrderId, side: side,
                    price: price.description, quantity: quantity.description, commission: commission.description,
                    commissionAsset: commissionAsset, timeMs: time, maker: maker))
            guard
                let fill = session.venue.filled(
                    engineId, price: price.double, quantity: quantity.double, feeBase: feeBase, feeQuote: feeQuote,
                    liquidity: maker ? .maker : .taker, time: time)
            else { return }
            unsentFills.append(fill)
            session.deliver(fill)
            if session.venue.order(engineId)?.status.isOpen == false { working[clientOrderId] = nil }
        }
        /// The orders the strategy queued, each through the verdict, placed once.
        func place(at close: VenueDecimal?) async throws {
            for id in session.venue.takeCancellations() {
                guard let clientId = working.first(where: { $0.value == id })?.key,
                    let cid = ClientOrderId(clientId)
                else { continue }
                if (try? await rest.cancelOrder(symbol: symbol, clientOrderId: cid)) != nil {
                    session.venue.canceled(id)
                    working[clientId] = nil
                }
            }
            for order in session.venue.takeSubmissions() {
                let side: SymbolFilters.Side = order.side == .buy ? .buy : .sell
                guard let quantity = VenueDecimal(order.quantity) else {
                    session.venue.rejected(order.id, reason: .quantityNotPositive)
                    continue
                }
                let price = order.type == .limit ? order.limitPrice.flatMap { VenueDecimal($0) } : nil
                let fitted: SymbolFilters.Fitted
                switch filters.fit(side: side, quantity: quantity, price: price, marketPrice: close) {
                case .success(let f): fitted = f
                case .failure(let e):
                    session.venue.rejected(order.id, reason: .venueRefused(code: e.code))
                    continue
                }
                let cid = ClientOrderId(job: assignment.jobId, epoch: assignment.epoch, sequence: sequence)
                sequence += 1
                working[cid.description] = order.id
                let type: BinanceOrders.OrderType =
                    order.type == .market ? .market : order.postOnly ? .limitMaker : .limit
                let tif: BinanceOrders.TimeInForce? =
                    type == .limit ? (order.timeInForce == .ioc ? .ioc : order.timeInForce == .fok ? .fok : .gtc) : nil
                let decidedAt = rest.venueNowMs()
                let outcome = try await placer.place(
                    OrderPlacer.Request(
                        symbol: symbol, side: side, type: type, timeInForce: tif, fitted: fitted, clientOrderId: cid)
                ) { cid in
                    try await gate.write(
                        cid, symbol: symbol, side: side, type: type, timeInForce: tif, fitted: fitted,
                        decidedAtMs: decidedAt)
                    guard lease.isValid(generation: generation) else {
                        throw IntentGate.Refused(clientOrderId: cid.description, reason: "this worker's lease lapsed")
                    }
                }
                let resolved: (String, Int64, Int64, String)
                switch outcome.state {
                case .accepted(let venueId):
                    resolved = ("accepted", venueId, 0, "")
                    venueOrders[venueId] = cid.description
                    for t in outcome.order?.fills ?? [] {
                        book(
                            tradeId: t.tradeId, clientOrderId: cid.description, venueOrderId: venueId,
                            side: side.rawValue, price: t.price, quantity: t.qty, commission: t.commission,
                            commissionAsset: t.commissionAsset, maker: false, time: outcome.order?.transactTime ?? 0,
                            inSequence: false)
                    }
                    if let status = outcome.order?.status, ["CANCELED", "EXPIRED", "REJECTED"].contains(status) {
                        session.venue.canceled(order.id)
                        working[cid.description] = nil
                    }
                case .rejected(let code, let message):
                    resolved = ("rejected", 0, Int64(code), message)
                    session.venue.rejected(order.id, reason: .venueRefused(code: code))
                    working[cid.description] = nil
                case .notPlaced:
                    resolved = ("not_placed", 0, 0, "")
                    session.venue.canceled(order.id)
                    working[cid.description] = nil
                default:
                    // Left open and unknown: reconciliation resolves it (slice 6).
                    resolved = ("unknown", 0, 0, "")
                    logger.error("order outcome unknown", metadata: ["client_order_id": "\(cid)"])
                }
                let id = cid.description
                await output.send {
                    .intentResolved(
                        OrderIntentResolved(
                            header: $0, clientOrderId: id, state: resolved.0, venueOrderId: resolved.1,
                            code: resolved.2,
                            message: resolved.3))
                }
            }
        }

        func loop() async throws {
            for await event in events.stream {
                switch MarketRunDirective(lease: lease, generation: generation, control: control) {
                case .fence:
                    logger.warning("lease not confirmed in time: live job stopped (self-fencing)")
                    try await checkpoint()
                    await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                    return
                case .stop:
                    try await checkpoint()
                    await progress()
                    await output.send { .finished(JobFinished(header: $0, outcome: .stopped, statistics: [])) }
                    logger.info("live job stopped", metadata: ["candles": "\(session.cursor)"])
                    return
                case .release:
                    try await checkpoint()
                    await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                    return
                case .proceed: break
                }
                switch event {
                case .candle(let candle):
                    for c in try await filler.deliver(candle, sequencer: &sequencer) {
                        while let due = try revisions.nextDue(
                            at: session.cursor, control: control, strategy: run.strategy.descriptor)
                        {
                            await flush()
                            try session.replaceStrategy(parameters: due.parameters)
                            revision = due.revision
                            let bar = Int64(session.cursor)
                            let applied = due.revision
                            await output.send { .reloadApplied(ReloadApplied(header: $0, revision: applied, bar: bar)) }
                        }
                        session.step(c.bar)
                        lastOpenTime = c.openTime
                        lastClose = c.close.double
                        try await place(at: c.close)
                    }
                case .user(.event(.executionReport(let r))):
                    guard r.symbol == symbol, let cid = r.jobOrder?.description, working[cid] != nil else { break }
                    if r.isTrade {
                        book(
                            tradeId: r.tradeId, clientOrderId: cid, venueOrderId: r.orderId, side: r.side,
                            price: r.lastPrice, quantity: r.lastQuantity, commission: r.commission,
                            commissionAsset: r.commissionAsset ?? "", maker: r.isMaker, time: r.transactionTime,
                            inSequence: true)
                    }
                    venueOrders[r.orderId] = cid
                    if ["CANCELED", "EXPIRED", "REJECTED", "EXPIRED_IN_MATCH"].contains(r.status), let id = working[cid]
                    {
                        session.venue.canceled(id)
                        working[cid] = nil
                    }
                case .user(.subscribed(let generation)) where generation > 1:
                    // Events may have been missed: every trade since the last one seen in order.
                    for t in try await rest.trades(symbol: symbol, fromId: ledger.refillFrom) {
                        guard let cid = venueOrders[t.orderId] else {
                            _ = ledger.record(t.id)
                            continue
                        }
                        book(
                            tradeId: t.id, clientOrderId: cid, venueOrderId: t.orderId,
                            side: t.isBuyer ? "BUY" : "SELL",
                            price: t.price, quantity: t.qty, commission: t.commission,
                            commissionAsset: t.commissionAsset, maker: t.isMaker, time: t.time, inSequence: true)
                    }
                default: break
                }
                await flush()
                if session.cursor != lastProgressBar { await progress() }
                if session.cursor != lastCheckpointBar
                    && (clock.elapsed - lastCheckpointAt >= checkpointInterval
                        || session.cursor - lastCheckpointBar >= spec.checkpointEvery)
                {
                    try await checkpoint()
                }
            }
        }
        do {
            try await loop()
        } catch {
            await feed.unsubscribe(subscription)
            throw error
        }
        await feed.unsubscribe(subscription)
    }
}
