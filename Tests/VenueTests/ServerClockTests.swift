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
    @Test func aTradeIsCountedOnceWhicheverInOrderSourceBringsIt() {
        var ledger = TradeLedger()
        let first = ledger.record(5)
        let again = ledger.record(5)
        let next = ledger.record(9)
        #expect(first && !again && next)
        #expect(ledger.refillFrom == 10)
        // A refill returns what the stream delivered too: only the new ones count.
        let fresh = [9, 10, 12].filter { ledger.record($0) }
        #expect(fresh == [10, 12])
        #expect(ledger.refillFrom == 13)
        // The stream's buffered events after a refill: already counted.
        let late = [11, 12].filter { ledger.record($0) }
        #expect(late.isEmpty)
    }

    @Test func aResumedLedgerCountsNothingAtOrBelowWhatWasStored() {
        var ledger = TradeLedger(countedThrough: 100)
        #expect(ledger.refillFrom == 101)
        let stored = [100, 42].filter { ledger.record($0) }
        #expect(stored.isEmpty)
        let new = ledger.record(101)
        #expect(new)
        #expect(ledger.refillFrom == 102)
    }
}
