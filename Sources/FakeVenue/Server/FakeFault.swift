/// A fault the fake venue injects on demand (`POST /_fake/faults`), as JSON:
/// `{"kind": "acceptThenTimeout", "delayMs": 12000}`. Order faults wait for the next new order;
/// the others act at once.
public struct FakeFault: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The next order is placed, and its answer held for `delayMs` (the client times out).
        case acceptThenTimeout
        /// The next order is placed, and answered with an HTTP 503 (status unknown to the client).
        case error5xxAfterAccept
        /// The next order is answered -1007 (timeout, status unknown) and not placed.
        case unknownNotPlaced
        /// The next order is forwarded to the matching engine (its window checked now), answered
        /// -1007 at once, and placed `delayMs` later — after its window has closed, if the delay
        /// is longer (the engine may take up to the API's 10-second timeout).
        case latePlacement
        /// Every request is answered 429 for `retryAfterSeconds`.
        case tooManyRequests
        /// Every request is answered 418 for `retryAfterSeconds`.
        case ban
        /// The venue's clock runs `ms` ahead (negative: behind) of the machine's.
        case clockSkew
        /// Every user data and market stream connection is closed.
        case dropStreams
        /// `serverShutdown` is sent on every WebSocket connection, which then closes.
        case serverShutdown
        /// Balances back to their start, open orders gone (the testnet's reset).
        case accountReset
        /// Every REST answer is delayed by `ms`.
        case latency
    }

    public var kind: Kind
    public var delayMs: Int?
    public var retryAfterSeconds: Int?
    public var ms: Int?

    public init(_ kind: Kind, delayMs: Int? = nil, retryAfterSeconds: Int? = nil, ms: Int? = nil) {
        self.kind = kind
        self.delayMs = delayMs
        self.retryAfterSeconds = retryAfterSeconds
        self.ms = ms
    }

    var isOrderFault: Bool {
        [.acceptThenTimeout, .error5xxAfterAccept, .unknownNotPlaced, .latePlacement].contains(kind)
    }
}
