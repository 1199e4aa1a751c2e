import ATSShared
import ATSVenues

/// What a live run does before it may send an order (docs/LIVE.md, "The intent's verdict"): the
/// intent goes to the coordinator through the outbox (resent after a reconnect until acked), and
/// the order may go out only once the coordinator stored it under the job's epoch and live lease
/// and said so. Used as ``OrderPlacer``'s `persist`: a refusal throws before anything is sent.
struct IntentGate: Sendable {
    let output: JobOutput
    let verdicts: IntentVerdicts

    struct Refused: Error, CustomStringConvertible {
        var clientOrderId: String
        var reason: String
        /// Refused, but this run still has the job: the kill switch holds it (its stop follows), or
        /// the account's risk budget refused this order.
        var keepsJob = false
        var description: String { "order intent \(clientOrderId) refused: \(reason)" }
    }

    /// Writes the intent and waits for its verdict; throws unless accepted.
    func write(
        _ id: ClientOrderId, symbol: String, side: SymbolFilters.Side, type: BinanceOrders.OrderType,
        timeInForce: BinanceOrders.TimeInForce?, fitted: SymbolFilters.Fitted, decidedAtMs: Int64,
        reduceOnly: Bool = false, notional: Double = 0, reduces: Bool = false, candleOpenMs: Int64 = 0,
        stopPrice: VenueDecimal? = nil, listClientOrderId: String = ""
    ) async throws {
        let clientOrderId = id.description
        await output.send {
            var m = OrderIntentWritten(
                header: $0, clientOrderId: clientOrderId, symbol: symbol, side: side.rawValue,
                orderType: type.rawValue, timeInForce: timeInForce?.rawValue ?? "",
                quantity: fitted.quantity.description, price: fitted.price?.description ?? "",
                decidedAtMs: decidedAtMs)
            m.reduceOnly = reduceOnly
            m.notional = notional
            m.reduces = reduces
            m.candleOpenMs = candleOpenMs
            m.stopPrice = stopPrice?.description ?? ""
            m.listClientOrderId = listClientOrderId
            return .intentWritten(m)
        }
        guard let verdict = await verdicts.wait(for: clientOrderId) else {
            throw Refused(clientOrderId: clientOrderId, reason: "the run stopped before the coordinator answered")
        }
        guard verdict.accepted, verdict.epoch == output.epoch else {
            throw Refused(clientOrderId: clientOrderId, reason: verdict.reason, keepsJob: verdict.keepsJob)
        }
    }
}
