import ATSEngine
import ATSShared

/// A live job's risk limits as a pure state machine (docs/LIVE.md, "Risk"): the job's equity at
/// each candle and the venue's verdicts in, a decision on each order before its intent is
/// written out. States: active → reducing (the daily loss limit reached: only orders that shrink
/// the position, until the next UTC day) → halted (too many rejections in a row: nothing more
/// until an operator starts the job again: the halt fails it). Its state travels in the job's checkpoint, so a resumed
/// run keeps the day's baseline, its rejections and its last minute of orders.
struct RiskGate: Sendable, Codable, Equatable {
    enum State: String, Sendable, Codable {
        case active, reducing, halted
    }

    /// Why an order is refused.
    enum Refusal: Sendable, Equatable, CustomStringConvertible {
        case halted(String)
        case reducing
        case orderNotional(notional: Double, limit: Double)
        case position(after: Double, limit: Double)
        case ordersPerMinute(limit: Int)

        var description: String {
            switch self {
            case .halted(let why): "the job is halted (\(why))"
            case .reducing:
                "the daily loss limit was reached: only orders that reduce the position, until the next UTC day"
            case .orderNotional(let n, let l): "the order is worth \(n), more than max_order_notional \(l)"
            case .position(let a, let l): "the position would be \(a), more than max_position \(l)"
            case .ordersPerMinute(let l): "\(l) orders were sent in the last minute (max_orders_per_minute)"
            }
        }
    }

    var limits: RiskLimits
    private(set) var state: State = .active
    private(set) var haltReason: String?
    /// The UTC day (days since 1970) of the baseline, and the equity at its first candle.
    private(set) var day: Int64?
    private(set) var dayStartEquity = 0.0
    private(set) var consecutiveRejects = 0
    /// When the orders of the last minute were allowed (ms, the venue's clock).
    private(set) var recentOrders: [Int64] = []

    static let dayMs: Int64 = 86_400_000

    init(limits: RiskLimits) { self.limits = limits }

    /// The job's equity at a candle's close (`nowMs`, the venue's clock): a new UTC day takes a new
    /// baseline and lifts `reducing`; a loss at the limit starts reducing. Returns the new state
    /// when it changed.
    @discardableResult
    mutating func observe(equity: Double, nowMs: Int64) -> State? {
        let before = state
        let today = nowMs >= 0 ? nowMs / Self.dayMs : (nowMs - Self.dayMs + 1) / Self.dayMs
        if day != today {
            day = today
            dayStartEquity = equity
            if state == .reducing { state = .active }
        }
        if state == .active, let limit = limits.maxDailyLoss, dayStartEquity - equity >= limit {
            state = .reducing
        }
        return state == before ? nil : state
    }

    /// Whether an order may go out: `position` is the base the job holds before it, `price` the
    /// order's limit or the last close. An allowed order counts toward the minute's. An `exit` (a
    /// filled entry's bracket leg, or its exit at market) that only sells what the job holds is
    /// refused only by a halt: the limits guard against a strategy's decisions, not against
    /// protecting a position it already holds.
    mutating func check(
        side: OrderSide, quantity: Double, price: Double, position: Double, nowMs: Int64, exit: Bool = false
    ) -> Refusal? {
        if state == .halted { return .halted(haltReason ?? "") }
        if exit, side == .sell, quantity <= position + 1e-12 {
            recentOrders.removeAll { $0 <= nowMs - 60_000 }
            recentOrders.append(nowMs)
            return nil
        }
        if state == .reducing, !(side == .sell && quantity <= position + 1e-12) { return .reducing }
        let notional = quantity * price
        if let limit = limits.maxOrderNotional, notional > limit {
            return .orderNotional(notional: notional, limit: limit)
        }
        let after = side == .buy ? position + quantity : position - quantity
        if side == .buy, let limit = limits.maxPosition, after > limit { return .position(after: after, limit: limit) }
        recentOrders.removeAll { $0 <= nowMs - 60_000 }
        if let limit = limits.maxOrdersPerMinute, recentOrders.count >= limit { return .ordersPerMinute(limit: limit) }
        recentOrders.append(nowMs)
        return nil
    }

    /// The venue refused an order before its engine; returns true when that halts the job.
    mutating func venueRejected() -> Bool {
        consecutiveRejects += 1
        guard state != .halted, let limit = limits.maxConsecutiveRejects, consecutiveRejects >= limit else {
            return false
        }
        halt("\(consecutiveRejects) orders rejected by the venue in a row (max_consecutive_rejects)")
        return true
    }

    mutating func venueAccepted() { consecutiveRejects = 0 }

    /// A run resumes with the spec's limits. A halt failed the job, so a run that finds one was
    /// started again by an operator: it begins active, its rejections forgotten.
    mutating func resume(limits: RiskLimits) {
        self.limits = limits
        if state == .halted {
            state = .active
            haltReason = nil
            consecutiveRejects = 0
        }
    }

    mutating func halt(_ reason: String) {
        state = .halted
        haltReason = reason
    }
}
