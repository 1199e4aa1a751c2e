/// One order a job means to place, from the durable intent to a known outcome, as a pure state
/// machine (events in, actions out, the venue's clock injected as milliseconds). It never sends an
/// order twice: once a request may have reached the venue, the only way on is to ask the venue
/// about the client order id, and "not placed" is concluded only when the venue can no longer
/// accept that request (its `timestamp + recvWindow` has passed on the venue's clock, rest-api.md
/// "Timing security") and a query after that finds no such order. A retry is a new intent, with
/// the next sequence and so a new client order id.
public struct OrderIntent: Sendable {
    public enum State: Sendable, Equatable {
        /// Decided, not yet durable: nothing may be sent.
        case decided
        /// Durable: may be sent once.
        case written
        /// The request is out; no answer yet.
        case sent
        /// The venue has the order (its id), open or already done.
        case accepted(venueOrderId: Int64)
        /// The venue refused it before processing (definitive): nothing was placed.
        case rejected(code: Int, message: String)
        /// The request may or may not have reached the matching engine: ask the venue.
        case unknown
        /// Asked after the request's window closed, and the venue has no such order.
        case notPlaced

        /// The venue's id for the order, once accepted.
        public var venueOrderId: Int64? {
            if case .accepted(let id) = self { return id }
            return nil
        }
    }

    /// What the venue answered to the new-order request.
    public enum Response: Sendable, Equatable {
        case accepted(venueOrderId: Int64)
        /// An error with the venue's code: definitive, except the codes whose docs say the
        /// execution status is unknown.
        case error(httpStatus: Int, code: Int, message: String)
        /// No answer in time, the connection broke, or an HTTP 5xx (rest-api.md: "do NOT treat
        /// this as a failure operation; the execution status is UNKNOWN").
        case noAnswer
    }

    public enum QueryResult: Sendable, Equatable {
        case found(venueOrderId: Int64)
        /// -2013 NO_SUCH_ORDER.
        case notFound
        /// The query itself failed: ask again.
        case failed
    }

    public enum Action: Sendable, Equatable {
        /// Write the intent durably (the coordinator acks it).
        case persist
        /// Send the new-order request, with this timestamp and window.
        case send(timestampMs: Int64, recvWindowMs: Int64)
        /// Ask the venue about the client order id, not before this time on the venue's clock.
        case query(notBeforeMs: Int64)
        /// The outcome is known: record it.
        case resolved(State)
    }

    /// Venue codes that mean the request was refused before the matching engine saw it
    /// (errors.md): filters and parameters (-1013, -11xx), the timing rule (-1021), the signature
    /// and key (-1022, -2014, -2015, -1002), rate limits (-1003, -1015), the order itself refused
    /// (-2010). Any other code — -1000 UNKNOWN, -1001 DISCONNECTED, -1006, -1007 and whatever
    /// the venue adds — leaves the outcome unknown: ask, never assume.
    public static func isDefiniteRejection(code: Int) -> Bool {
        [-1002, -1003, -1013, -1015, -1021, -1022, -2010, -2014, -2015].contains(code)
            || (-1199 ... -1100).contains(code)
    }

    /// How long after a request's window a "no such order" is trusted: the API forwards a request
    /// to the matching engine only inside its window, but the engine may still process it until
    /// the API gives up on it, 10 seconds later (rest-api.md "General API Information": -1007
    /// "does not always mean that the request failed in the Matching Engine"); a second more for
    /// the query's own data source.
    public static let defaultGraceMs: Int64 = 11_000

    public let clientOrderId: ClientOrderId
    public let recvWindowMs: Int64
    /// How long after the window a "not found" is trusted (the venue's own clocks and queues).
    public let graceMs: Int64
    public private(set) var state = State.decided
    /// The timestamp the request carried (the window is counted from it).
    public private(set) var sentTimestampMs: Int64?
    public private(set) var queries = 0

    public init(clientOrderId: ClientOrderId, recvWindowMs: Int64 = 5_000, graceMs: Int64 = OrderIntent.defaultGraceMs)
    {
        precondition(recvWindowMs > 0 && recvWindowMs <= 60_000, "recvWindow is at most 60,000 ms")
        self.clientOrderId = clientOrderId
        self.recvWindowMs = recvWindowMs
        self.graceMs = graceMs
    }

    /// The first action: make the intent durable.
    public mutating func start() -> [Action] {
        guard state == .decided else { return [] }
        return [.persist]
    }

    /// The intent is durable; `venueNowMs` is the venue's time (the local clock plus the tracked
    /// offset).
    public mutating func persisted(venueNowMs: Int64) -> [Action] {
        guard state == .decided else { return [] }
        state = .sent
        sentTimestampMs = venueNowMs
        return [.send(timestampMs: venueNowMs, recvWindowMs: recvWindowMs)]
    }

    /// The intent is given up before anything was sent (the venue banned this address, the job
    /// stopped): nothing can have been placed.
    public mutating func abandoned() -> [Action] {
        guard state == .decided else { return [] }
        state = .notPlaced
        return [.resolved(state)]
    }

    /// The venue can no longer accept the request after this time on its clock.
    public var windowClosesAtMs: Int64? { sentTimestampMs.map { $0 + recvWindowMs } }

    public mutating func answered(_ response: Response) -> [Action] {
        guard state == .sent else { return [] }
        switch response {
        case .accepted(let id):
            state = .accepted(venueOrderId: id)
            return [.resolved(state)]
        case .error(let status, let code, let message) where status < 500 && Self.isDefiniteRejection(code: code):
            state = .rejected(code: code, message: message)
            return [.resolved(state)]
        case .error, .noAnswer:
            state = .unknown
            return [.query(notBeforeMs: sentTimestampMs ?? 0)]
        }
    }

    /// What a query by client order id found. `venueNowMs` is the venue's time when the query was
    /// *sent*: the venue looked no earlier, and a "not found" proves "not placed" only if the venue
    /// looked after the request could no longer be accepted (the time it was answered would not
    /// do: a request still in flight may be placed between the look and the answer).
    public mutating func queried(_ result: QueryResult, venueNowMs: Int64) -> [Action] {
        guard state == .unknown, let closes = windowClosesAtMs else { return [] }
        queries += 1
        switch result {
        case .found(let id):
            state = .accepted(venueOrderId: id)
            return [.resolved(state)]
        case .notFound where venueNowMs > closes + graceMs:
            state = .notPlaced
            return [.resolved(state)]
        case .notFound, .failed:
            // Too early to conclude (the request may still reach the engine), or no answer: ask
            // again, at the latest once the window has closed.
            return [.query(notBeforeMs: max(venueNowMs + 200, closes + graceMs + 1))]
        }
    }
}
