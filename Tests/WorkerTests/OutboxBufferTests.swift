import ATSEngine
import ATSShared
import ATSWorker
import Testing

/// The outbox's bookkeeping: sequence numbers, cumulative acks, what a new connection resends,
/// room for backpressure, and a drain's unbounded and closed states.
struct OutboxBufferTests {
    static func message(_ seq: UInt64) -> WireMessage {
        .progress(
            JobProgress(header: JobHeader(jobId: 1, epoch: 1, messageSeq: seq), barsDone: 0, barsTotal: 1, equity: 0))
    }

    static func seqs(_ messages: [WireMessage]) -> [UInt64] { messages.compactMap { $0.jobHeader?.messageSeq } }

    @Test func numbersMessagesAndResendsWhatIsNotAcknowledgedInOrder() {
        var outbox = OutboxBuffer(limit: 10)
        for _ in 0..<5 { _ = outbox.append(Self.message) }
        #expect(Self.seqs(outbox.unacknowledged) == [1, 2, 3, 4, 5])
        outbox.ack(3)
        #expect(Self.seqs(outbox.unacknowledged) == [4, 5] && outbox.count == 2)
        outbox.ack(2)
        #expect(outbox.count == 2, "acks are cumulative: an older one changes nothing")
        outbox.ack(9)
        #expect(outbox.count == 0 && outbox.nextSeq == 6)
    }

    @Test func fullMeansWaitUntilDrainingOrClosed() {
        var outbox = OutboxBuffer(limit: 2)
        _ = outbox.append(Self.message)
        _ = outbox.append(Self.message)
        #expect(!outbox.hasRoom)
        outbox.setUnbounded()
        #expect(outbox.hasRoom)
        #expect(outbox.append(Self.message) != nil && outbox.count == 3)
        outbox.close()
        #expect(outbox.append(Self.message) == nil, "closed: dropped")
        #expect(outbox.count == 3)
    }

    @Test func acknowledgedMessagesAreLetGoNotHeldByTheHundred() {
        // A sweep's chunk records are megabytes a message: a few acknowledged ones held is too many.
        var outbox = OutboxBuffer(limit: 100)
        for k in 1...3 {
            _ = outbox.append(Self.message)
            outbox.ack(UInt64(k))
            #expect(outbox.retained == 0, "message \(k) acknowledged, nothing held")
        }
        var rng = SeededRandom(seed: 4)
        var acked: UInt64 = 3
        for _ in 0..<2_000 {
            if Bool.random(using: &rng) || outbox.count == 0 {
                _ = outbox.append(Self.message)
            } else {
                acked += UInt64.random(in: 1...UInt64(outbox.count), using: &rng)
                outbox.ack(acked)
            }
            #expect(
                outbox.retained <= 2 * outbox.count + 1, "\(outbox.retained) held for \(outbox.count) unacknowledged")
        }
    }

    @Test func manyAcksKeepTheBufferSmall() {
        var outbox = OutboxBuffer(limit: 100_000)
        for k in 1...5_000 {
            _ = outbox.append(Self.message)
            if k % 100 == 0 { outbox.ack(UInt64(k)) }
        }
        #expect(outbox.count == 0 && outbox.retained == 0, "acknowledged messages let go")
        #expect(Self.seqs(outbox.unacknowledged).isEmpty)
        _ = outbox.append(Self.message)
        #expect(Self.seqs(outbox.unacknowledged) == [5_001])
    }
}
