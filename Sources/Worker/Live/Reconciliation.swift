import ATSEngine
import ATSShared
import ATSVenues

/// The rules of a live run's reconciliation (docs/LIVE.md, "Reconciliation"), pure: what the
/// coordinator stored and what the venue answers go in, what the run concludes comes out.
/// ``LiveReconciler`` asks the venue and applies the conclusions.
enum Reconciliation {
    /// How long after a resumed run began a "no such order" proves that an order its predecessor
    /// may have sent was never placed. The predecessor asked its lease once more after fixing the
    /// request's `timestamp` (``OrderPlacer``), its lease ended before the coordinator reassigned
    /// the job, and this run began after that: the venue accepts the request until `timestamp +
    /// recvWindow` on its clock (a timestamp at most 1 s ahead of it) plus its engine's 10 s
    /// timeout (``OrderIntent/defaultGraceMs``); 2 s more for the two machines' clocks running
    /// at slightly different rates and the answer's way back.
    static func notPlacedAfterMs(recvWindowMs: Int64) -> Int64 { recvWindowMs + OrderIntent.defaultGraceMs + 2_000 }

    /// What the store says of an order the checkpoint names as in flight.
    enum Start: Equatable {
        /// Never placed: no intent was stored, so no verdict allowed it out; or its run concluded so.
        case notPlaced(String)
        /// The venue refused it before its engine (the run that sent it learned so).
        case rejected(code: Int, message: String)
        /// Ask the venue by client order id.
        case query
    }

    static func start(_ clientOrderId: String, prior: [String: PriorIntent]) -> Start {
        guard let p = prior[clientOrderId] else {
            return .notPlaced("no intent was stored for it, so it was never allowed out")
        }
        switch p.state {
        case "rejected": return .rejected(code: Int(p.code), message: p.message)
        case "not_placed": return .notPlaced("the run that wrote it concluded it was not placed")
        default: return .query
        }
    }

    /// What an answer to a query by client order id means.
    enum Answer: Equatable {
        /// Placed: the venue's order (its status and executed quantity).
        case placed(BinanceOrders.Order)
        /// Not placed, and never will be.
        case notPlaced
        /// Ask again once `elapsedMs` (since the run began) has reached this.
        case askAgain(atElapsedMs: Int64)
    }

    /// `elapsedMs`: time since this run began, on a monotonic clock, when the query was sent.
    static func answered(
        _ result: OrderIntent.QueryResult, order: BinanceOrders.Order?, elapsedMs: Int64, notPlacedAfterMs: Int64
    ) -> Answer {
        switch result {
        case .found:
            guard let order else { return .askAgain(atElapsedMs: elapsedMs + 500) }
            return .placed(order)
        case .notFound where elapsedMs >= notPlacedAfterMs:
            return .notPlaced
        case .notFound:
            return .askAgain(atElapsedMs: notPlacedAfterMs)
        case .failed:
            return .askAgain(atElapsedMs: elapsedMs + 1_000)
        }
    }

    /// The venue's open orders carrying the job's client order id prefix that the run does not
    /// know (placed by a run whose state was lost, or by hand): adopted, so their executions move
    /// the job's wallet.
    static func toAdopt(open: [BinanceOrders.Order], job: Int64, known: Set<String>) -> [BinanceOrders.Order] {
        let prefix = ClientOrderId.prefix(job: job)
        return open.filter { $0.clientOrderId.hasPrefix(prefix) && !known.contains($0.clientOrderId) }
    }

    /// Orders the run holds as working that the venue no longer lists as open: their final status
    /// is asked for once their trades are booked.
    static func closedSince(working: some Sequence<String>, open: [BinanceOrders.Order]) -> [String] {
        let listed = Set(open.map(\.clientOrderId))
        return working.filter { !listed.contains($0) }.sorted()
    }

    /// What the job's wallet holds that the account does not: a balance its facts cannot explain
    /// (nil when the account holds at least the job's base and quote). Several jobs may trade one
    /// account; each must find at least its own holdings there.
    static func unexplained(
        wallet: Wallet, instrument: Instrument, balances: [BinanceAccount.Balance]
    ) -> String? {
        func held(_ asset: String) -> Double {
            guard let b = balances.first(where: { $0.asset == asset }) else { return 0 }
            return (b.free + b.locked).double
        }
        var problems: [String] = []
        for (asset, mine, step) in [
            (instrument.base, wallet.base.total, instrument.stepSize), (instrument.quote, wallet.quote.total, 0),
        ] {
            let theirs = held(asset)
            let tolerance = max(step, 1e-8) + abs(mine) * 1e-9
            if mine > theirs + tolerance {
                problems.append("the job's facts say it holds \(mine) \(asset), the account holds \(theirs)")
            }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// The candle a trade happened in, by its time: the last candle traded is `lastIndex` and
    /// opened at `lastOpenTime`; candles follow each other every `lengthMs`. A fill is the same
    /// however late it is booked (a resumed run's refill books its predecessor's again).
    static func barIndex(tradeTimeMs: Int64, lastOpenTime: Int64?, lastIndex: Int, lengthMs: Int64) -> Int {
        guard let lastOpenTime, lengthMs > 0 else { return max(0, lastIndex) }
        let offset = tradeTimeMs - lastOpenTime
        let candles = offset >= 0 ? offset / lengthMs : -((-offset + lengthMs - 1) / lengthMs)
        return max(0, lastIndex + Int(candles))
    }

    /// Whether a candle closed too long ago to trade on: one interval (at most a minute) and 5 s
    /// after its close. A run catching up after a resume or a gap lets its strategy see such
    /// candles, and refuses the orders decided on them (``RejectReason/staleMarket``).
    static func isStale(openTime: Int64, lengthMs: Int64, venueNowMs: Int64) -> Bool {
        venueNowMs > openTime + lengthMs + min(lengthMs, 60_000) + 5_000
    }
}
