import ATSEngine
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import ATSShared

struct WireMessageTests {
    static let fill = Fill(
        seq: 41, orderId: 7, time: 1_652_313_600_000, barIndex: 1234, side: .sell, price: 29_050.12, quantity: 0.015,
        feeBase: 0, feeQuote: 0.43575, liquidity: .maker, tag: "exit")

    /// A live run's recording: its candles and the venue's rules.
    static var candlesSeen: CandlesSeen {
        var m = CandlesSeen(
            header: JobHeader(jobId: 6, epoch: 1, messageSeq: 2), endpoint: "testnet", symbol: "ETHUSDT",
            interval: "1m", firstBar: 0,
            candles: [
                SeenCandle(
                    openTimeMs: 1_700_000_040_000, open: "2000.10", high: "2001.00", low: "1999.90", close: "2000.50",
                    volume: "12.5")
            ])
        m.tickSize = 0.01
        m.stepSize = 0.0001
        m.minQuantity = 0.0001
        m.minNotional = 5
        return m
    }

    static let samples: [WireMessage] = [
        .hello(
            Hello(
                workerId: "w-1", host: "box", capacity: 4, labels: ["cpu", "eu"],
                running: [JobLease(jobId: 3, epoch: 9)], softwareVersion: "0.1.0",
                workerNonce: Array(repeating: 0xAB, count: 32), proof: Array(0..<32), capabilities: ["datasets"])),
        .welcome(
            Welcome(
                coordinatorId: "c", heartbeatIntervalMs: 1000, leaseTimeoutMs: 5000, proof: Array(32..<64),
                capabilities: CoordinatorCapability.all)),
        .refuse(Refuse(code: .unsupportedVersion, reason: "speaks 1", supportedVersions: [1])),
        .refuse(Refuse(code: .notLeader, reason: "standby", leaderAddress: "10.0.0.2:7070")),
        .assign(AssignJob(jobId: 5, epoch: 2, name: "job-5", spec: Array("{}".utf8), checkpoint: [1, 2, 3])),
        .assign(
            AssignJob(
                jobId: 5, epoch: 3, name: "job-5", spec: Array("{}".utf8), checkpoint: [1, 2, 3], specRevision: 4,
                checkpointRevision: 2, checkpointEngine: "ats-engine 0.2.0",
                checkpointDataHash: "xxh3:0011223344556677",
                schedule: [
                    RevisionStep(revision: 3, atBar: 700, strategyConfig: Array("{\"fast\":5}".utf8)),
                    RevisionStep(revision: 4, atBar: 950, strategyConfig: Array("{\"fast\":7}".utf8)),
                ], replayUntilBar: 950)),
        .stop(StopJob(jobId: 5, epoch: 2, reason: "operator")),
        .stop(StopJob(jobId: 6, epoch: 4, reason: "kill switch", halt: true, flatten: true)),
        .reload(ReloadJob(jobId: 5, epoch: 2, strategyConfig: Array("{\"fast\":5}".utf8), revision: 3)),
        .heartbeat(Heartbeat(sentAtMs: 99, runningJobs: 3)),
        .started(JobStarted(header: JobHeader(jobId: 5, epoch: 2, messageSeq: 1), barsTotal: 1_000_000)),
        .started(JobStarted(header: JobHeader(jobId: 5, epoch: 3, messageSeq: 1), barsTotal: 0, phase: "reconciling")),
        .assign(
            {
                var a = AssignJob(jobId: 6, epoch: 4, name: "live", spec: Array("{}".utf8), checkpoint: [9])
                a.priorIntents = [
                    PriorIntent(clientOrderId: "ats-6-3-1", state: "written"),
                    PriorIntent(
                        clientOrderId: "ats-6-3-2", state: "rejected", code: -2010, message: "insufficient balance"),
                    PriorIntent(clientOrderId: "ats-6-3-3", state: "accepted", venueOrderId: 81),
                ]
                a.halt = "killed by ops"
                a.haltFlatten = true
                a.sweepChunk = true
                return a
            }()),
        .fills(FillBatch(header: JobHeader(jobId: 5, epoch: 2, messageSeq: 2), fills: [fill, fill], specRevision: 3)),
        .checkpoint(
            CheckpointSaved(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 3), cursor: 500, nextFillSeq: 42,
                state: Array(repeating: 7, count: 300), specRevision: 2, engineVersion: "ats-engine 0.2.0",
                dataHash: "xxh3:0011223344556677")),
        .checkpoint(
            CheckpointSaved(
                header: JobHeader(jobId: 6, epoch: 4, messageSeq: 3), cursor: 12, nextFillSeq: 3, state: [1, 2],
                serial: 7)),
        .progress(
            JobProgress(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 4), barsDone: 500, barsTotal: 1000, equity: 100_123.5)
        ),
        .progress(
            JobProgress(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 4), barsDone: 500, barsTotal: 1000, equity: 1.5,
                curve: [
                    CurvePoint(
                        barIndex: 499, timeMs: 60_000, close: 101.25, equity: 1.5, plots: [100.5, -0.0, 1e-300]),
                    CurvePoint(barIndex: 500, timeMs: 120_000, close: 101, equity: 1.5),
                ],
                plots: [
                    PlotSeries("fast", pane: .price), PlotSeries("slow", pane: .price), PlotSeries("z", pane: .below),
                ])
        ),
        .finished(
            JobFinished(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 5), outcome: .stopped, statistics: Array("{}".utf8))),
        .failed(
            JobFailed(
                header: JobHeader(jobId: 5, epoch: -1, messageSeq: 6), error: "bars.csv:3:4: low: expected a number")),
        .ack(Ack(messageSeq: UInt64.max)),
        .reloadApplied(ReloadApplied(header: JobHeader(jobId: 5, epoch: 2, messageSeq: 7), revision: 3, bar: 700)),
        .challenge(
            Challenge(supportedVersions: [2, 3], nonce: Array(repeating: 0x5A, count: 32), coordinatorId: "c-1")),
        .intentWritten(
            OrderIntentWritten(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 8), clientOrderId: "ats-5-2-a", symbol: "BTCUSDT",
                side: "BUY", orderType: "LIMIT", timeInForce: "GTC", quantity: "0.00120000", price: "50000.01",
                decidedAtMs: 1_700_000_000_000)),
        .intentWritten(
            {
                var stopLeg = OrderIntentWritten(
                    header: JobHeader(jobId: 5, epoch: 2, messageSeq: 9), clientOrderId: "ats-5-2-c", symbol: "BTCUSDT",
                    side: "SELL", orderType: "STOP_LOSS", quantity: "0.00120000", decidedAtMs: 1_700_000_000_001)
                stopLeg.stopPrice = "48000.5"
                stopLeg.listClientOrderId = "atl-5-2-b"
                return stopLeg
            }()),
        .intentVerdict(IntentVerdict(jobId: 5, epoch: 2, clientOrderId: "ats-5-2-a", accepted: true)),
        .intentVerdict(
            IntentVerdict(
                jobId: 5, epoch: 2, clientOrderId: "ats-5-2-b", accepted: false,
                reason: "the kill switch holds the job",
                keepsJob: true)),
        .intentResolved(
            OrderIntentResolved(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 9), clientOrderId: "ats-5-2-a", state: "accepted",
                venueOrderId: 77)),
        .venueFills(
            VenueFills(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 10), venue: "binance", symbol: "BTCUSDT",
                fills: [
                    VenueFill(
                        tradeId: 901, orderId: 77, clientOrderId: "ats-5-2-a", side: "BUY", price: "50000.01",
                        quantity: "0.00100000", commission: "0.00000100", commissionAsset: "BTC", timeMs: 1, maker: true
                    ),
                    VenueFill(
                        tradeId: 902, orderId: 77, clientOrderId: "ats-5-2-a", side: "BUY", price: "50000.01",
                        quantity: "0.00020000", commission: "0.00000020", commissionAsset: "BTC", timeMs: 2, maker: true
                    ),
                ])),
        .candlesSeen(Self.candlesSeen),
        .candlesSeen(
            CandlesSeen(
                header: JobHeader(jobId: 5, epoch: 2, messageSeq: 11), endpoint: "local:9100", symbol: "BTCUSDT",
                interval: "1s", firstBar: 41,
                candles: [
                    SeenCandle(
                        openTimeMs: 1_700_000_041_000, open: "50000.01000000", high: "50010.00000000",
                        low: "49990.50000000", close: "50001.00000000", volume: "1.25000000"),
                    SeenCandle(
                        openTimeMs: 1_700_000_042_000, open: "50001.00000000", high: "50001.00000000",
                        low: "50001.00000000", close: "50001.00000000", volume: "0.00000000"),
                ])),
    ]

    func frame(_ m: WireMessage) -> ByteBuffer {
        var b = ByteBufferAllocator().buffer(capacity: 64)
        m.writeFrame(into: &b)
        return b
    }

    /// An engine's tags fit an ``InlineString``; a longer one on the wire is refused, not cut.
    @Test func aFillWithATagLongerThanAnyEngineMakesIsRefused() throws {
        var fits = ByteBufferAllocator().buffer(capacity: 64)
        fits.writeProto(11, string: String(repeating: "t", count: 31))
        #expect(try Fill(record: fits).tag.description == String(repeating: "t", count: 31))
        var long = ByteBufferAllocator().buffer(capacity: 64)
        long.writeProto(11, string: String(repeating: "t", count: 32))
        #expect(throws: ProtocolError.self) { try Fill(record: long) }
    }

    @Test("every message survives encode and decode", arguments: samples)
    func roundTrip(_ message: WireMessage) throws {
        var decoder = FrameDecoder()
        var b = frame(message)
        #expect(try decoder.decode(buffer: &b) == message)
        #expect(b.readableBytes == 0)
    }

    /// A series' undefined values cross as NaN (bit for bit); a declaration is made safe rather
    /// than refused (a refused frame would be sent again and again): no control characters, a
    /// name of at most 100 characters, an unknown pane drawn below, at most 64 series.
    @Test func plotSeriesCrossWithTheirGapsAndBadDeclarationsAreMadeSafe() throws {
        let point = CurvePoint(barIndex: 1, timeMs: 2, close: 3, equity: 4, plots: [.nan, 1.5, -.infinity])
        let message = WireMessage.progress(
            JobProgress(
                header: JobHeader(jobId: 1, epoch: 1, messageSeq: 1), barsDone: 2, barsTotal: 2, equity: 4,
                curve: [point], plots: [PlotSeries("a", pane: .below), PlotSeries("b", pane: .price)]))
        var decoder = FrameDecoder()
        var b = frame(message)
        guard case .progress(let decoded) = try decoder.decode(buffer: &b) else {
            Issue.record("not a progress")
            return
        }
        #expect(decoded.curve.first?.plots.map(\.bitPattern) == point.plots.map(\.bitPattern))
        #expect(decoded.plots == [PlotSeries("a", pane: .below), PlotSeries("b", pane: .price)])

        var series = ByteBufferAllocator().buffer(capacity: 16)
        series.writeProto(1, string: "a\u{0}b\u{7}c")
        series.writeProto(2, string: "sideways")
        #expect(try JobProgress.series(series) == PlotSeries("abc", pane: .below))
        var unnamed = ByteBufferAllocator().buffer(capacity: 16)
        unnamed.writeProto(2, string: "price")
        #expect(try JobProgress.series(unnamed) == PlotSeries("series", pane: .price))
        var long = ByteBufferAllocator().buffer(capacity: 512)
        long.writeProto(1, string: String(repeating: "é", count: 300))
        long.writeProto(2, string: "price")
        #expect(try JobProgress.series(long).name.count == 100)
        let many = WireMessage.progress(
            JobProgress(
                header: JobHeader(jobId: 1, epoch: 1, messageSeq: 1), barsDone: 2, barsTotal: 2, equity: 4,
                curve: [point], plots: (0..<70).map { PlotSeries("s\($0)", pane: .below) }))
        var m = frame(many)
        guard case .progress(let capped) = try decoder.decode(buffer: &m) else {
            Issue.record("not a progress")
            return
        }
        #expect(capped.plots.count == JobProgress.maximumPlots)
        // Packed doubles whose length is not a whole number of values.
        var ragged = ByteBufferAllocator().buffer(capacity: 16)
        ragged.writeBytes([0x2A, 0x03, 1, 2, 3] as [UInt8])
        #expect(throws: ProtocolError.self) { try CurvePoint(record: ragged) }
    }

    @Test func decodesSplitAndCoalescedReads() throws {
        // The verifier feeds the bytes one at a time, all at once, and in between.
        let pairs = Self.samples.map { (frame($0), [$0]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder()
        }
    }

    @Test func refusesAnOversizeLengthBeforeReadingTheFrame() {
        var decoder = FrameDecoder(maximumFrameSize: 1024)
        var b = ByteBufferAllocator().buffer(capacity: 8)
        b.writeInteger(UInt32(1025))
        b.writeInteger(UInt8(7))  // only the start of the frame has arrived
        #expect(throws: ProtocolError.frameTooLarge(length: 1025, maximum: 1024)) {
            try decoder.decode(buffer: &b)
        }
    }

    @Test func refusesUnknownTypesEmptyFramesAndTruncatedBodies() {
        var decoder = FrameDecoder()
        var unknown = ByteBufferAllocator().buffer(capacity: 8)
        unknown.writeInteger(UInt32(1))
        unknown.writeInteger(UInt8(200))
        #expect(throws: ProtocolError.unknownMessageType(200)) { try decoder.decode(buffer: &unknown) }

        var empty = ByteBufferAllocator().buffer(capacity: 8)
        empty.writeInteger(UInt32(0))
        #expect(throws: ProtocolError.emptyFrame) { try decoder.decode(buffer: &empty) }

        // A string field whose length runs past the frame.
        var truncated = ByteBufferAllocator().buffer(capacity: 16)
        truncated.writeInteger(UInt32(4))
        truncated.writeBytes([1, 0x12, 0x05, 0x41] as [UInt8])
        #expect(throws: ProtocolError.self) { try decoder.decode(buffer: &truncated) }
    }

    @Test func skipsFieldsFromNewerVersions() throws {
        // A Heartbeat with an extra varint field 9, a string field 10 and a double field 11.
        var body = ByteBufferAllocator().buffer(capacity: 32)
        body.writeProto(1, int: 5)
        body.writeProto(9, uint: 300)
        body.writeProto(10, string: "future")
        body.writeProto(11, double: 1.5)
        body.writeProto(2, uint: 2)
        var b = ByteBufferAllocator().buffer(capacity: 64)
        b.writeInteger(UInt32(1 + body.readableBytes))
        b.writeInteger(UInt8(7))
        b.writeBuffer(&body)
        var decoder = FrameDecoder()
        #expect(try decoder.decode(buffer: &b) == .heartbeat(Heartbeat(sentAtMs: 5, runningJobs: 2)))
    }

    @Test func readsPackedRepeatedVersions() throws {
        // proto3 encoders pack repeated scalars by default: field 1, wire type 2, then the varints.
        var body = ByteBufferAllocator().buffer(capacity: 16)
        body.writeBytes([0x0A, 0x02, 0x02, 0x03] as [UInt8])
        body.writeProto(3, string: "c")
        var b = ByteBufferAllocator().buffer(capacity: 32)
        b.writeInteger(UInt32(1 + body.readableBytes))
        b.writeInteger(UInt8(15))
        b.writeBuffer(&body)
        var decoder = FrameDecoder()
        #expect(
            try decoder.decode(buffer: &b)
                == .challenge(Challenge(supportedVersions: [2, 3], nonce: [], coordinatorId: "c")))
    }

    @Test func aBadFrameClosesTheChannel() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addWireProtocolHandlers(maximumFrameSize: 64)
        var b = channel.allocator.buffer(capacity: 8)
        b.writeInteger(UInt32(1_000_000))
        #expect(throws: ProtocolError.frameTooLarge(length: 1_000_000, maximum: 64)) {
            try channel.writeInbound(b)
        }
    }

    @Test func encoderWritesFrames() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addWireProtocolHandlers()
        try channel.writeOutbound(WireMessage.ack(Ack(messageSeq: 300)))
        var out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(out.readInteger(as: UInt32.self) == 4)  // type + tag + 2-byte varint
        #expect(out.readInteger(as: UInt8.self) == 14)
        #expect(out.readBytes(length: 3) == [0x08, 0xAC, 0x02])
    }

    /// A frame the peer would refuse is refused when written: nothing goes out (issue 16, #10).
    @Test func theEncoderRefusesAFrameOverTheLimit() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addWireProtocolHandlers(maximumFrameSize: 1_024)
        let big = WireMessage.failed(
            JobFailed(header: JobHeader(jobId: 1, epoch: 1, messageSeq: 1), error: String(repeating: "x", count: 2_000))
        )
        #expect(throws: ProtocolError.self) { try channel.writeOutbound(big) }
        #expect(channel.embeddedEventLoop.run() == () && (try? channel.readOutbound(as: ByteBuffer.self)) == nil)
        let fits = EmbeddedChannel()
        try fits.pipeline.syncOperations.addWireProtocolHandlers(maximumFrameSize: 1_024)
        try fits.writeOutbound(WireMessage.ack(Ack(messageSeq: 1)))
        #expect(try fits.readOutbound(as: ByteBuffer.self) != nil, "a frame within the limit goes out")
    }
}

/// A live job's credential crosses the wire in its assignment and nowhere else: no description of
/// the message shows it.
@Suite struct AssignJobRedactionTests {
    @Test func anAssignmentNeverShowsItsCredential() {
        var a = AssignJob(jobId: 1, epoch: 1, name: "live", spec: [], checkpoint: [])
        a.venueCredential = VenueCredential(
            name: "alice", keyType: "hmac", apiKey: "KEY-abcdef", secret: "SECRET-123456"
        )
        .encoded()
        for text in [String(describing: WireMessage.assign(a)), String(reflecting: a), "\(a)"] {
            #expect(!text.contains("SECRET-123456") && !text.contains("KEY-abcdef"), "\(text)")
            #expect(text.contains("redacted"))
        }
        #expect(!"\(VenueCredential.decode(a.venueCredential)!)".contains("SECRET"))
    }
}
