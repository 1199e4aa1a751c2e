import ATSEngine
import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging

/// Settles a live run's book with the venue (docs/LIVE.md, "Reconciliation"), applying the rules
/// of ``Reconciliation``: a resumed run's in-flight orders, and after any gap in the user data
/// stream (the first subscription of a resumed run included) the trades since the watermark in id
/// order, the job's open orders it did not know (adopted) and the ones that ended meanwhile.
/// Nothing here places an order.
package struct LiveReconciler: Sendable {
    let rest: BinanceRESTClient
    let symbol: String
    let job: Int64
    /// When this run began (a monotonic clock): after its predecessor's lease had ended.
    let began: ContinuousClock.Instant
    let logger: Logger

    package init(rest: BinanceRESTClient, symbol: String, job: Int64, began: ContinuousClock.Instant, logger: Logger) {
        self.rest = rest
        self.symbol = symbol
        self.job = job
        self.began = began
        self.logger = logger
    }

    /// An intent's outcome, for the coordinator (`OrderIntentResolved`).
    package struct Resolution: Sendable, Equatable {
        var clientOrderId: String
        var state: String
        var venueOrderId: Int64 = 0
        var code: Int64 = 0
        var message: String = ""
    }

    /// Settles every in-flight order: from what the store says (`prior`), then by asking the
    /// venue by client order id, waiting — once — until "not found" proves "not placed". `leave`
    /// is asked between queries: true ends the wait with ``LiveRunInterrupted`` (the job was
    /// stopped, released or fenced; the orders stay in flight for the next run).
    package func settleInFlight(
        _ book: inout LiveBook, prior: [String: PriorIntent], leave: @Sendable () -> Bool = { false }
    ) async throws -> [Resolution] {
        var out: [Resolution] = []
        let bound = Reconciliation.notPlacedAfterMs(recvWindowMs: rest.recvWindowMs)
        // In the order they were taken (by sequence: base 36 does not sort as text), each while
        // still in flight (settling a bracket's refused leg settles its partner too).
        let ordered = book.inFlight.sorted {
            (ClientOrderId($0)?.sequence ?? -1, $0) < (ClientOrderId($1)?.sequence ?? -1, $1)
        }
        for cid in ordered where book.inFlight.contains(cid) {
            switch Reconciliation.start(cid, prior: prior) {
            case .notPlaced(let why):
                logger.info("in-flight order not placed", metadata: ["client_order_id": "\(cid)", "why": "\(why)"])
                book.notPlaced(cid)
                if prior[cid] != nil { out.append(Resolution(clientOrderId: cid, state: "not_placed")) }
            case .rejected(let code, let message):
                // A bracket refused because the market was past it: the crossed leg goes out at
                // market at the next candle, as in the run that learned of the refusal.
                if BinanceOrders.refusedAsMarketIsPast(code: code, message: message), book.isBracketLeg(cid) {
                    let price = (try? await rest.price(symbol: symbol))?.double ?? book.session.venue.lastPrice
                    if book.exitCrossedBracket(cid, marketPrice: price) {
                        logger.warning(
                            "a bracket the venue refused as crossed: exiting at market",
                            metadata: ["client_order_id": "\(cid)", "price": "\(price)"])
                        continue
                    }
                }
                book.rejected(cid, code: code)
            case .query:
                guard let id = ClientOrderId(cid) else {
                    book.finished(cid)
                    continue
                }
                while true {
                    try Task.checkCancellation()
                    let sent = (ContinuousClock.now - began) / .milliseconds(1)
                    let (result, order) = await rest.queryOrder(symbol: symbol, clientOrderId: id)
                    switch Reconciliation.answered(
                        result, order: order, elapsedMs: Int64(sent), notPlacedAfterMs: bound)
                    {
                    case .placed(let o):
                        book.accepted(cid, venueOrderId: o.orderId)
                        out.append(Resolution(clientOrderId: cid, state: "accepted", venueOrderId: o.orderId))
                    case .notPlaced:
                        logger.info(
                            "in-flight order not found after its window: not placed",
                            metadata: ["client_order_id": "\(cid)"])
                        book.notPlaced(cid)
                        out.append(Resolution(clientOrderId: cid, state: "not_placed"))
                    case .askAgain(let at):
                        if leave() { throw LiveRunInterrupted() }
                        let wait = at - Int64((ContinuousClock.now - began) / .milliseconds(1))
                        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
                        continue
                    }
                    break
                }
            }
        }
        return out
    }

    /// Trades since the watermark, booked in id order (an unknown order's is the job's if its
    /// client order id carries the job's prefix: adopted); the job's open orders it did not know,
    /// adopted; working orders the venue no longer lists, ended once their trades are in.
    package func refill(_ book: inout LiveBook) async throws {
        let open = try await rest.openOrders(symbol: symbol)
        for o in Reconciliation.toAdopt(open: open, job: job, known: Set(book.working.keys)) {
            logger.warning(
                "adopted an open order of the job's this run did not know",
                metadata: ["client_order_id": "\(o.clientOrderId)", "order_id": "\(o.orderId)"])
            book.adopt(o)
        }
        var foreign: Set<Int64> = []
        let prefix = ClientOrderId.prefix(job: job)
        for t in try await rest.trades(symbol: symbol, fromId: book.ledger.refillFrom) where book.isNew(t.id) {
            if book.venueOrders[t.orderId] == nil, !foreign.contains(t.orderId) {
                // Whose order? The job's (by its prefix) is adopted if the book does not hold it.
                if let o = try await rest.order(symbol: symbol, orderId: t.orderId), o.clientOrderId.hasPrefix(prefix) {
                    if book.working[o.clientOrderId] == nil {
                        logger.warning(
                            "adopted an order of the job's found by its trade",
                            metadata: ["client_order_id": "\(o.clientOrderId)", "trade_id": "\(t.id)"])
                        book.adopt(o)
                    } else {
                        book.accepted(o.clientOrderId, venueOrderId: o.orderId)
                    }
                } else {
                    foreign.insert(t.orderId)
                }
            }
            book.book(LiveBook.Execution(t))
        }
        let inFlight = book.inFlight
        for cid in Reconciliation.closedSince(working: book.working.keys.filter { !inFlight.contains($0) }, open: open)
        {
            guard let id = ClientOrderId(cid) else { continue }
            let (result, order) = await rest.queryOrder(symbol: symbol, clientOrderId: id)
            switch result {
            case .found:
                guard let order, !order.isWorking else { break }
                // Ended, but its last trades may not be listed yet: it ends once they are booked
                // (the stream, or the next refill, brings them).
                guard order.executedQty.double <= (book.bookedQuantity(cid) ?? 0) + 1e-12 else {
                    logger.info(
                        "an ended order's trades are not all listed yet: kept until they are",
                        metadata: ["client_order_id": "\(cid)", "executed": "\(order.executedQty)"])
                    break
                }
                if order.status == "FILLED" { book.completed(cid) } else { book.finished(cid) }
            case .notFound:
                logger.warning(
                    "a working order of the job's is unknown to the venue: ended",
                    metadata: ["client_order_id": "\(cid)"])
                book.finished(cid)
            default: break
            }
        }
    }

    /// A balance the job's facts cannot explain, if any.
    package func unexplainedBalance(_ book: LiveBook) async throws -> String? {
        Reconciliation.unexplained(
            wallet: book.session.venue.wallet, instrument: book.instrument, balances: try await rest.balances())
    }
}
