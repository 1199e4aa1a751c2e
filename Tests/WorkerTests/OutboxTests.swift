import ATSShared
import Testing

@testable import ATSWorker

/// The outbox sends a checkpoint in the form its coordinator reads: compressed to one that
/// announced it stores compressed state, inflated to one of an earlier release — whether sent
/// as it is appended or again after a reconnect.
struct OutboxTests {
    static let plain = Array(String(repeating: "{\"recent\":[{\"averagePrice\":1.5,\"id\":7}]}", count: 40).utf8)

    static func checkpoint(_ seq: UInt64) -> WireMessage {
        .checkpoint(
            CheckpointSaved(
                header: JobHeader(jobId: 1, epoch: 1, messageSeq: seq), cursor: 10, nextFillSeq: 0,
                state: CheckpointCompression.compress(plain)))
    }

    static func states(_ messages: [WireMessage]) -> [[UInt8]] {
        messages.compactMap { if case .checkpoint(let c) = $0 { c.state } else { nil } }
    }

    @Test func aCoordinatorThatDoesNotStoreCompressedStateIsSentItPlainNowAndOnEveryResend() async {
        #expect(CheckpointCompression.isCompressed(Self.states([Self.checkpoint(1)])[0]))
        let outbox = Outbox(limit: 100)
        let (older, olderSink) = AsyncStream.makeStream(of: WireMessage.self)
        await outbox.attach(olderSink, compressesCheckpoints: false)
        await outbox.append(Self.checkpoint)
        await outbox.append {
            .progress(
                JobProgress(header: JobHeader(jobId: 1, epoch: 1, messageSeq: $0), barsDone: 1, barsTotal: 2, equity: 0)
            )
        }
        olderSink.finish()
        var sent: [WireMessage] = []
        for await m in older { sent.append(m) }
        #expect(sent.map(\.name) == ["CheckpointSaved", "JobProgress"])
        #expect(Self.states(sent) == [Self.plain], "inflated as it was appended")

        // Unacknowledged, it is sent again on the next connection: compressed to a coordinator
        // that announced it stores that form, plain again to one that did not.
        let (newer, newerSink) = AsyncStream.makeStream(of: WireMessage.self)
        await outbox.attach(newerSink, compressesCheckpoints: true)
        newerSink.finish()
        var resent: [WireMessage] = []
        for await m in newer { resent.append(m) }
        #expect(Self.states(resent) == Self.states([Self.checkpoint(1)]))
        let (again, againSink) = AsyncStream.makeStream(of: WireMessage.self)
        await outbox.attach(againSink, compressesCheckpoints: false)
        againSink.finish()
        var plainAgain: [WireMessage] = []
        for await m in again { plainAgain.append(m) }
        #expect(Self.states(plainAgain) == [Self.plain])
        #expect(await outbox.count == 2, "what is sent is kept until acknowledged, in the form it was made")
    }
}
