/// The venue's side of rate limiting (rest-api.md "LIMITS"), as a pure value on its clock:
/// request weight per minute and order counts per 10 s and per day in fixed windows, reported in
/// `X-MBX-USED-WEIGHT-1M` and `X-MBX-ORDER-COUNT-10S`/`-1D`; over a limit, 429 with `Retry-After`;
/// requests during that back-off count as violations, and enough of them earn a ban, 418 with
/// `Retry-After`, during which everything is refused.
struct VenueRateCounter: Sendable {
    enum Verdict: Sendable, Equatable {
        case admitted
        case tooMany(retryAfterSeconds: Int, code: Int, msg: String)
        case banned(retryAfterSeconds: Int)
    }

    let weightPerMinute: Int
    let ordersPer10s: Int
    let ordersPerDay: Int
    let banSeconds: Int
    let violationsBeforeBan: Int
    private(set) var weight = Window(lengthMs: 60_000)
    private(set) var orders10s = Window(lengthMs: 10_000)
    private(set) var ordersDay = Window(lengthMs: 86_400_000)
    private(set) var backOffUntilMs: Int64 = 0
    private(set) var bannedUntilMs: Int64 = 0
    private var violations = 0
    /// Whether the current back-off has been announced (its first 429 is not a violation).
    private var announced = false

    struct Window: Sendable {
        let lengthMs: Int64
        var start: Int64 = 0
        var used = 0

        mutating func roll(_ nowMs: Int64) {
            let s = nowMs - nowMs % lengthMs
            if s != start {
                start = s
                used = 0
            }
        }
        var endMs: Int64 { start + lengthMs }
    }

    init(configuration: FakeVenueConfiguration) {
        weightPerMinute = configuration.weightPerMinute
        ordersPer10s = configuration.ordersPer10s
        ordersPerDay = configuration.ordersPerDay
        banSeconds = configuration.banSeconds
        violationsBeforeBan = configuration.violationsBeforeBan
    }

    private static func seconds(until: Int64, from now: Int64) -> Int { Int(max(1, (until - now + 999) / 1_000)) }

    /// Counts a request of `weight` (a new order when `isOrder`) and says whether it may proceed.
    mutating func admit(weight w: Int, isOrder: Bool, nowMs: Int64) -> Verdict {
        if nowMs < bannedUntilMs { return .banned(retryAfterSeconds: Self.seconds(until: bannedUntilMs, from: nowMs)) }
        if nowMs < backOffUntilMs {
            guard announced else {
                announced = true
                return .tooMany(
                    retryAfterSeconds: Self.seconds(until: backOffUntilMs, from: nowMs), code: -1003,
                    msg: "Too many requests; current limit is \(weightPerMinute) request weight per 1 MINUTE.")
            }
            violations += 1
            if violations >= violationsBeforeBan {
                bannedUntilMs = nowMs + Int64(banSeconds) * 1_000
                violations = 0
                return .banned(retryAfterSeconds: banSeconds)
            }
            return .tooMany(
                retryAfterSeconds: Self.seconds(until: backOffUntilMs, from: nowMs), code: -1003,
                msg: "Too many requests; current limit is \(weightPerMinute) request weight per 1 MINUTE.")
        }
        violations = 0
        weight.roll(nowMs)
        orders10s.roll(nowMs)
        ordersDay.roll(nowMs)
        weight.used += w
        if weight.used > weightPerMinute {
            backOffUntilMs = weight.endMs
            announced = true
            return .tooMany(
                retryAfterSeconds: Self.seconds(until: backOffUntilMs, from: nowMs), code: -1003,
                msg:
                    "Too much request weight used; current limit is \(weightPerMinute) request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."
            )
        }
        if isOrder {
            for (window, limit, label) in [(orders10s, ordersPer10s, "10 SECOND"), (ordersDay, ordersPerDay, "1 DAY")]
            where window.used + 1 > limit {
                backOffUntilMs = window.endMs
                announced = true
                return .tooMany(
                    retryAfterSeconds: Self.seconds(until: backOffUntilMs, from: nowMs), code: -1015,
                    msg: "Too many new orders; current limit is \(limit) orders per \(label).")
            }
            orders10s.used += 1
            ordersDay.used += 1
        }
        return .admitted
    }

    /// A forced 429: the next `seconds` are a back-off.
    mutating func forceBackOff(seconds: Int, nowMs: Int64) {
        backOffUntilMs = nowMs + Int64(seconds) * 1_000
        announced = false
    }

    /// A forced 418.
    mutating func forceBan(seconds: Int, nowMs: Int64) { bannedUntilMs = nowMs + Int64(seconds) * 1_000 }

    /// The usage headers every response carries (order counts only on orders).
    func headers(includeOrders: Bool) -> [(String, String)] {
        var h = [("X-MBX-USED-WEIGHT-1M", String(weight.used))]
        if includeOrders {
            h += [("X-MBX-ORDER-COUNT-10S", String(orders10s.used)), ("X-MBX-ORDER-COUNT-1D", String(ordersDay.used))]
        }
        return h
    }
}
