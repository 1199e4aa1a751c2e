import ATSVenues
import Testing

@Suite struct ServerClockTests {
    @Test func theOffsetIsTakenAtTheRoundTripsMidpointAndTheTightestSampleWins() {
        var clock = ServerClock()
        // Sent at 1,000, answered at 1,100 saying 4,050: the venue is 3,000 ahead.
        clock.observe(sentAtMs: 1_000, serverTimeMs: 4_050, receivedAtMs: 1_100)
        #expect(clock.offsetMs == 3_000)
        #expect(clock.venueTime(localMs: 2_000) == 5_000)
        // A slower round trip does not replace it; a tighter one does.
        clock.observe(sentAtMs: 2_000, serverTimeMs: 5_400, receivedAtMs: 2_400)
        #expect(clock.offsetMs == 3_000)
        clock.observe(sentAtMs: 3_000, serverTimeMs: 6_012, receivedAtMs: 3_020)
        #expect(clock.offsetMs == 3_002)
        #expect(clock.roundTripMs == 20)
        // Old samples give way (clocks drift), and a -1021 forgets them.
        clock.observe(sentAtMs: 400_000, serverTimeMs: 403_500, receivedAtMs: 400_400)
        #expect(clock.offsetMs == 3_300)
        clock.invalidate()
        clock.observe(sentAtMs: 400_500, serverTimeMs: 400_000, receivedAtMs: 401_500)
        #expect(clock.offsetMs == -1_000)
    }
}

@Suite struct TradeLedgerTests {
    @Test func aTradeIsCountedOnceWhicheverWayItArrives() {
        var ledger = TradeLedger()
        #expect(ledger.record(5) == true)
        #expect(ledger.record(5) == false)
        #expect(ledger.record(9) == true)
        #expect(ledger.refillFrom == 10)
        // A refill returns what the stream delivered too: only the new one counts.
        let fresh = [9, 10, 12].filter { ledger.record($0) }
        #expect(fresh == [10, 12])
        #expect(ledger.count == 4)
    }

    /// A market order's FULL answer during a gap carries a later id than a resting order's fill
    /// the stream missed: the refill starts after what was seen in sequence, not after it.
    @Test func aRefillStartsAfterTheLastTradeSeenInSequence() {
        var ledger = TradeLedger()
        #expect(ledger.record(100) == true)
        // The stream drops; trade 105 (a resting order) is missed; a FULL answer brings 110.
        #expect(ledger.record(110, inSequence: false) == true)
        #expect(ledger.refillFrom == 101)
        let refill: [Int64] = [105, 110]
        #expect(refill.filter { ledger.record($0) } == [105])
        #expect(ledger.refillFrom == 111)
    }

    @Test func aResumedLedgerCountsNothingAtOrBelowWhatWasStored() {
        var ledger = TradeLedger(countedThrough: 100)
        #expect(ledger.refillFrom == 101)
        #expect(ledger.record(100) == false)
        #expect(ledger.record(42) == false)
        #expect(ledger.record(101) == true)
        #expect(ledger.refillFrom == 102)
    }
}
