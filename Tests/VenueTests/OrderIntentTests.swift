import ATSVenues
import Testing

/// An order intent's outcomes: sent once, and after any answer that leaves the outcome unknown,
/// only queried, until the venue has the order or can no longer accept it.
struct OrderIntentTests {
    static func sent() -> OrderIntent {
        var intent = OrderIntent(clientOrderId: ClientOrderId(job: 1, epoch: 1, sequence: 1), recvWindowMs: 5_000)
        #expect(intent.start() == [.persist])
        #expect(intent.persisted(venueNowMs: 10_000) == [.send(timestampMs: 10_000, recvWindowMs: 5_000)])
        return intent
    }

    @Test func nothingIsSentBeforeTheIntentIsDurable() {
        var intent = OrderIntent(clientOrderId: ClientOrderId(job: 1, epoch: 1, sequence: 1))
        #expect(intent.answered(.accepted(venueOrderId: 1)) == [], "no answer to a request never sent")
        #expect(intent.start() == [.persist])
        #expect(intent.state == .decided)
    }

    @Test func anIntentGivenUpBeforeSendingWasNotPlaced() {
        var intent = OrderIntent(clientOrderId: ClientOrderId(job: 1, epoch: 1, sequence: 1))
        #expect(intent.start() == [.persist])
        #expect(intent.abandoned() == [.resolved(.notPlaced)])
        #expect(intent.persisted(venueNowMs: 1) == [], "nothing is sent after giving up")
        var sent = Self.sent()
        #expect(sent.abandoned() == [], "a request that went out cannot be given up: it may be placed")
    }

    @Test func anAcceptedOrRejectedOrderIsKnownAtOnce() {
        var a = Self.sent()
        #expect(a.answered(.accepted(venueOrderId: 77)) == [.resolved(.accepted(venueOrderId: 77))])
        var r = Self.sent()
        #expect(
            r.answered(.error(httpStatus: 400, code: -2010, message: "Account has insufficient balance"))
                == [.resolved(.rejected(code: -2010, message: "Account has insufficient balance"))])
        var late = Self.sent()
        // -1021: the timestamp was outside the window, so the request was never processed.
        #expect(
            late.answered(.error(httpStatus: 400, code: -1021, message: "outside of the recvWindow"))
                == [.resolved(.rejected(code: -1021, message: "outside of the recvWindow"))])
    }

    @Test func aTimeoutA5xxOrAnUnknownStatusCodeIsQueriedNeverResent() {
        for response: OrderIntent.Response in [
            .noAnswer, .error(httpStatus: 503, code: 0, message: "Service Unavailable"),
            .error(httpStatus: 400, code: -1007, message: "Timeout waiting for response from backend server"),
            .error(httpStatus: 400, code: -1006, message: "An unexpected response was received"),
        ] {
            var intent = Self.sent()
            #expect(intent.answered(response) == [.query(notBeforeMs: 10_000)], "\(response)")
            #expect(intent.state == .unknown)
            #expect(
                intent.queried(.found(venueOrderId: 5), venueNowMs: 10_100) == [.resolved(.accepted(venueOrderId: 5))])
        }
    }

    @Test func notPlacedOnlyOnceTheVenueCanNoLongerAcceptTheRequest() {
        var intent = Self.sent()
        _ = intent.answered(.noAnswer)
        // The window closes at 10,000 + 5,000; the engine may still place a forwarded request until
        // the API's 10-second timeout, so a "no such order" proves nothing before 15,000 + 11,000.
        #expect(intent.graceMs == 11_000)
        #expect(intent.queried(.notFound, venueNowMs: 10_300) == [.query(notBeforeMs: 26_001)])
        #expect(intent.queried(.failed, venueNowMs: 15_500) == [.query(notBeforeMs: 26_001)])
        #expect(intent.queried(.notFound, venueNowMs: 25_900) == [.query(notBeforeMs: 26_100)])
        #expect(intent.state == .unknown)
        #expect(intent.queried(.notFound, venueNowMs: 26_001) == [.resolved(.notPlaced)])
        #expect(intent.queries == 4)
    }

    @Test func onlyCodesThatMeanRefusedBeforeTheEngineAreRejections() {
        for code in [-1013, -1021, -1022, -1100, -1111, -2010, -2014, -2015, -1003, -1015] {
            var intent = Self.sent()
            #expect(intent.answered(.error(httpStatus: 400, code: code, message: "")).count == 1)
            #expect(intent.state == .rejected(code: code, message: ""), "code \(code)")
        }
        // errors.md: -1000 UNKNOWN, -1001 DISCONNECTED, and anything not known: ask.
        for code in [-1000, -1001, -1006, -1007, -9999] {
            var intent = Self.sent()
            #expect(intent.answered(.error(httpStatus: 400, code: code, message: "")) == [.query(notBeforeMs: 10_000)])
            #expect(intent.state == .unknown, "code \(code)")
        }
    }

    @Test func underAnySequenceOfAnswersTheOrderIsSentOnce() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var intent = OrderIntent(clientOrderId: ClientOrderId(job: 9, epoch: 2, sequence: 3), recvWindowMs: 1_000)
            var sends = 0
            var now: Int64 = 0
            var actions = intent.start()
            for _ in 0..<12 {
                sends += actions.filter { if case .send = $0 { true } else { false } }.count
                now += Int64.random(in: 0...700, using: &rng)
                switch Int.random(in: 0..<7, using: &rng) {
                case 0: actions = intent.persisted(venueNowMs: now)
                case 1: actions = intent.answered(.noAnswer)
                case 2: actions = intent.answered(.error(httpStatus: 500, code: 0, message: ""))
                case 3: actions = intent.answered(.accepted(venueOrderId: 1))
                case 4: actions = intent.queried(.notFound, venueNowMs: now)
                case 5: actions = intent.queried(.failed, venueNowMs: now)
                default: actions = intent.persisted(venueNowMs: now)
                }
                if case .notPlaced = intent.state, let closes = intent.windowClosesAtMs {
                    #expect(now > closes, "not placed concluded inside the window")
                }
            }
            sends += actions.filter { if case .send = $0 { true } else { false } }.count
            #expect(sends <= 1)
        }
    }
}
