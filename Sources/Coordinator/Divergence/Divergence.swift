import ATSShared

/// Compares a job's fills with a replay's (docs/LIVE.md "Divergence"). Pure: the fills, the
/// venue's facts and the market's last close in, the report's orders and totals out.
public struct Divergence: Sendable {
    /// A fill on either side, in the form both compare in.
    public struct Fill: Sendable, Equatable {
        public var orderId: Int64
        /// buy or sell (lowercased).
        public var side: String
        public var barIndex: Int64
        public var timeMs: Int64
        public var price: Double
        public var quantity: Double
        public var feeBase: Double
        public var feeQuote: Double

        public init(
            orderId: Int64, side: String, barIndex: Int64, timeMs: Int64, price: Double, quantity: Double,
            feeBase: Double, feeQuote: Double
        ) {
            self.orderId = orderId
            self.side = side.lowercased()
            self.barIndex = barIndex
            self.timeMs = timeMs
            self.price = price
            self.quantity = quantity
            self.feeBase = feeBase
            self.feeQuote = feeQuote
        }

        /// Fees in the quote asset.
        var fee: Double { feeQuote + feeBase * price }
        var shown: DivergenceReport.Fill {
            DivergenceReport.Fill(barIndex: barIndex, timeMs: timeMs, price: price, quantity: quantity, fee: fee)
        }
    }

    /// A venue execution of a live job, to link the job's fills to their orders' intents.
    public struct Trade: Sendable, Equatable {
        public var clientOrderId: String
        public var side: String
        public var timeMs: Int64
        public var price: Double
        public var quantity: Double

        public init(clientOrderId: String, side: String, timeMs: Int64, price: Double, quantity: Double) {
            self.clientOrderId = clientOrderId
            self.side = side
            self.timeMs = timeMs
            self.price = price
            self.quantity = quantity
        }
    }

    public var job: [Fill]
    public var replay: [Fill]
    /// The job's starting quote and base (its allocation), and the last candle's close.
    public var cash: Double
    public var base: Double
    public var lastClose: Double
    /// A live job's venue executions and its intents' decision times (venue clock), by client id.
    public var trades: [Trade] = []
    public var decidedAtMs: [String: Int64] = [:]
    /// The open time of the candle each intent was decided on; without it, the candle that
    /// closed last before the decision is taken.
    public var candleOpenMs: [String: Int64] = [:]
    /// The open time of the job's bar 0 and the candles' length, to find the candle a decision
    /// followed.
    public var originMs: Int64 = 0
    public var lengthMs: Int64 = 60_000

    public init(job: [Fill], replay: [Fill], cash: Double, base: Double, lastClose: Double) {
        self.job = job
        self.replay = replay
        self.cash = cash
        self.base = base
        self.lastClose = lastClose
    }

    /// The orders, in the order either side first filled them, and the totals.
    public func compare() -> (summary: DivergenceReport.Summary, orders: [DivergenceReport.Order]) {
        let clientIds = linkClientIds()
        let jobOrders = Dictionary(grouping: job, by: \.orderId)
        let replayOrders = Dictionary(grouping: replay, by: \.orderId)
        var ids: [Int64] = []
        var seen = Set<Int64>()
        for f in (job + replay).sorted(by: { ($0.timeMs, $0.orderId) < ($1.timeMs, $1.orderId) })
        where seen.insert(f.orderId).inserted {
            ids.append(f.orderId)
        }
        var s = DivergenceReport.Summary()
        s.jobFills = job.count
        s.replayFills = replay.count
        s.jobPnl = pnl(job)
        s.replayPnl = pnl(replay)
        s.jobFees = job.reduce(0) { $0 + $1.fee }
        s.replayFees = replay.reduce(0) { $0 + $1.fee }
        var orders: [DivergenceReport.Order] = []
        var weighted = 0.0
        var weight = 0.0
        var decisions: [Int64] = []
        var venue: [Int64] = []
        for id in ids {
            let mine = jobOrders[id] ?? []
            let theirs = replayOrders[id] ?? []
            let side = (mine.first ?? theirs.first)?.side ?? ""
            let sign = side == "buy" ? 1.0 : -1.0
            var pairs: [DivergenceReport.FillPair] = []
            for k in 0..<max(mine.count, theirs.count) {
                let a = k < mine.count ? mine[k] : nil
                let b = k < theirs.count ? theirs[k] : nil
                let equal = a != nil && a == b
                if !equal { s.identical = false }
                pairs.append(DivergenceReport.FillPair(job: a?.shown, replay: b?.shown, equal: equal))
            }
            let a = Self.execution(mine)
            let b = Self.execution(theirs)
            var slippage: Double?
            if let a, let b, b.price > 0 {
                s.matchedOrders += 1
                let bps = (a.price - b.price) / b.price * 10_000 * sign
                slippage = bps
                let matched = min(a.quantity, b.quantity)
                s.slippageCost += (a.price - b.price) * matched * sign
                weighted += bps * matched * b.price
                weight += matched * b.price
                if s.worstSlippageBps.map({ bps > $0 }) ?? true { s.worstSlippageBps = bps }
            } else if a != nil {
                s.jobOnlyOrders += 1
            } else {
                s.replayOnlyOrders += 1
            }
            let cid = clientIds[id]
            var decisionLatency: Int64?
            var venueLatency: Int64?
            if let cid, let decided = decidedAtMs[cid] {
                let boundary =
                    candleOpenMs[cid].map { $0 + lengthMs }
                    ?? originMs + Self.floorDiv(decided - originMs, lengthMs) * lengthMs
                decisionLatency = decided - boundary
                decisions.append(decided - boundary)
                if let a {
                    venueLatency = a.timeMs - decided
                    venue.append(a.timeMs - decided)
                }
            }
            orders.append(
                DivergenceReport.Order(
                    orderId: id, side: side, clientOrderId: cid, job: a, replay: b, slippageBps: slippage,
                    decisionLatencyMs: decisionLatency, venueLatencyMs: venueLatency, fills: pairs))
        }
        if weight > 0 { s.meanSlippageBps = weighted / weight }
        (s.medianDecisionLatencyMs, s.worstDecisionLatencyMs) = Self.medianAndWorst(decisions)
        (s.medianVenueLatencyMs, s.worstVenueLatencyMs) = Self.medianAndWorst(venue)
        return (s, orders)
    }

    /// The job's P&L from its allocation through `fills`, valued at the last close (quote asset).
    func pnl(_ fills: [Fill]) -> Double {
        var quote = cash
        var held = base
        for f in fills {
            let notional = f.price * f.quantity
            if f.side == "buy" {
                held += f.quantity - f.feeBase
                quote -= notional + f.feeQuote
            } else {
                held -= f.quantity + f.feeBase
                quote += notional - f.feeQuote
            }
        }
        return (quote + held * lastClose) - (cash + base * lastClose)
    }

    /// Each job order's client order id, from the venue execution its first fill was made from
    /// (same time, side, price and quantity; each execution used once).
    func linkClientIds() -> [Int64: String] {
        // The executions by time, each list consumed in trade order: one pass over each side.
        var byTime: [Int64: [Trade]] = [:]
        for t in trades { byTime[t.timeMs, default: []].append(t) }
        var out: [Int64: String] = [:]
        for f in job {
            guard var candidates = byTime[f.timeMs],
                let k = candidates.firstIndex(where: {
                    $0.side.lowercased() == f.side && $0.price == f.price && $0.quantity == f.quantity
                })
            else { continue }
            if out[f.orderId] == nil { out[f.orderId] = candidates[k].clientOrderId }
            candidates.remove(at: k)
            byTime[f.timeMs] = candidates
        }
        return out
    }

    static func execution(_ fills: [Fill]) -> DivergenceReport.Execution? {
        guard let first = fills.first else { return nil }
        let quantity = fills.reduce(0) { $0 + $1.quantity }
        let notional = fills.reduce(0) { $0 + $1.price * $1.quantity }
        return DivergenceReport.Execution(
            barIndex: first.barIndex, timeMs: first.timeMs, price: quantity > 0 ? notional / quantity : first.price,
            quantity: quantity, fee: fills.reduce(0) { $0 + $1.fee }, fills: fills.count)
    }

    static func medianAndWorst(_ values: [Int64]) -> (Int64?, Int64?) {
        guard !values.isEmpty else { return (nil, nil) }
        let sorted = values.sorted()
        return (sorted[(sorted.count - 1) / 2], sorted.last)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
