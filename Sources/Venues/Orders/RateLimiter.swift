/// Paces requests below a venue's limits, as a pure value (times in milliseconds on the venue's
/// clock). Binance (rest-api.md "LIMITS"): `exchangeInfo.rateLimits` lists REQUEST_WEIGHT and
/// ORDERS limits per interval; every response says the weight used (`X-MBX-USED-WEIGHT-1M`) and
/// every accepted order the orders counted (`X-MBX-ORDER-COUNT-10S`, `-1D`); a 429 asks to back
/// off for `Retry-After` seconds and repeated ones earn a ban, a 418, for `Retry-After` seconds:
/// then nothing is sent to the venue at all, by any job.
public struct RateLimiter: Sendable {
    public enum Kind: String, Sendable {
        case requestWeight = "REQUEST_WEIGHT"
        case orders = "ORDERS"
    }

    public struct Limit: Sendable, Equatable {
        public var kind: Kind
        public var intervalMs: Int64
        public var limit: Int
        /// The header suffix the venue reports it under: `1M`, `10S`, `1D`.
        public var headerSuffix: String

        /// A limit as `exchangeInfo` writes it (`interval`: SECOND, MINUTE, HOUR, DAY).
        public init?(kind: Kind, interval: String, intervalNum: Int, limit: Int) {
            let (unit, letter): (Int64, String) =
                switch interval {
                case "SECOND": (1_000, "S")
                case "MINUTE": (60_000, "M")
                case "HOUR": (3_600_000, "H")
                case "DAY": (86_400_000, "D")
                default: (0, "")
                }
            guard unit > 0, intervalNum > 0, limit > 0 else { return nil }
            self.kind = kind
            intervalMs = unit * Int64(intervalNum)
            self.limit = limit
            headerSuffix = "\(intervalNum)\(letter)"
        }
    }

    /// What to do with a request now.
    public enum Decision: Sendable, Equatable {
        case send
        /// Wait until then (the window resets, or the back-off ends).
        case wait(untilMs: Int64)
        /// The venue banned this address (418) until then: nothing may be sent.
        case banned(untilMs: Int64)
    }

    public let limits: [Limit]
    /// The share of each limit used at most (the rest absorbs other clients of the same address
    /// and the venue's own rounding).
    public let headroom: Double
    private var used: [Int]
    private var windowStart: [Int64]
    public private(set) var backOffUntilMs: Int64 = 0
    public private(set) var bannedUntilMs: Int64 = 0

    public init(limits: [Limit], headroom: Double = 0.8) {
        self.limits = limits
        self.headroom = headroom
        used = Array(repeating: 0, count: limits.count)
        windowStart = Array(repeating: 0, count: limits.count)
    }

    /// The same limiter under new limits (a fresh `exchangeInfo`): a back-off or ban in force
    /// stays.
    public func withLimits(_ limits: [Limit]) -> RateLimiter {
        var r = RateLimiter(limits: limits, headroom: headroom)
        r.backOffUntilMs = backOffUntilMs
        r.bannedUntilMs = bannedUntilMs
        return r
    }

    /// Windows are the venue's fixed intervals (a minute's weight resets at the minute).
    private mutating func roll(_ k: Int, nowMs: Int64) {
        let start = nowMs - nowMs % limits[k].intervalMs
        if start != windowStart[k] {
            windowStart[k] = start
            used[k] = 0
        }
    }

    private func budget(_ k: Int) -> Int { max(1, Int(Double(limits[k].limit) * headroom)) }

    /// Whether a request of `weight` (an order when `isOrder`) may go now; if so it is counted.
    public mutating func admit(weight: Int, isOrder: Bool, nowMs: Int64) -> Decision {
        if nowMs < bannedUntilMs { return .banned(untilMs: bannedUntilMs) }
        if nowMs < backOffUntilMs { return .wait(untilMs: backOffUntilMs) }
        var until: Int64 = 0
        for k in limits.indices {
            roll(k, nowMs: nowMs)
            let cost = limits[k].kind == .requestWeight ? weight : (isOrder ? 1 : 0)
            if cost > 0 && used[k] + cost > budget(k) { until = max(until, windowStart[k] + limits[k].intervalMs) }
        }
        if until > 0 { return .wait(untilMs: until) }
        for k in limits.indices {
            used[k] += limits[k].kind == .requestWeight ? weight : (isOrder ? 1 : 0)
        }
        return .send
    }

    /// What a response said: the counts it reports (taken when higher than ours: other clients
    /// of the address count too), and 429 / 418 with their `Retry-After`. Header names are
    /// matched without regard to case.
    public mutating func observed(status: Int, headers: [(String, String)], nowMs: Int64) {
        for (name, value) in headers {
            let lower = name.lowercased()
            for k in limits.indices {
                let prefix = limits[k].kind == .requestWeight ? "x-mbx-used-weight-" : "x-mbx-order-count-"
                guard lower == prefix + limits[k].headerSuffix.lowercased(), let n = Int(value) else { continue }
                roll(k, nowMs: nowMs)
                used[k] = max(used[k], n)
            }
        }
        guard status == 429 || status == 418 else { return }
        let seconds = headers.first { $0.0.lowercased() == "retry-after" }.flatMap { Int64($0.1) } ?? 60
        if status == 418 {
            bannedUntilMs = max(bannedUntilMs, nowMs + seconds * 1_000)
        } else {
            backOffUntilMs = max(backOffUntilMs, nowMs + seconds * 1_000)
        }
    }
}
