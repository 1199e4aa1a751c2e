import ATSShared
import ATSVenues
import Testing

@testable import ATSWorker

@Suite struct IntentVerdictsTests {
    static func verdict(_ id: String, _ accepted: Bool = true) -> IntentVerdict {
        IntentVerdict(jobId: 1, epoch: 1, clientOrderId: id, accepted: accepted)
    }

    @Test func aVerdictReachesItsWaiterWhicheverComesFirst() async {
        let verdicts = IntentVerdicts()
        // Delivered before anyone waits: kept.
        await verdicts.deliver(Self.verdict("a"))
        #expect(await verdicts.wait(for: "a") == Self.verdict("a"))
        // Waited for, then delivered.
        let waiter = Task { await verdicts.wait(for: "b") }
        while await verdicts.waitingCount == 0 { await Task.yield() }
        await verdicts.deliver(Self.verdict("c", false))
        await verdicts.deliver(Self.verdict("b", false))
        #expect(await waiter.value == Self.verdict("b", false))
        #expect(await verdicts.wait(for: "c") == Self.verdict("c", false))
    }

    @Test func aCancelledWaitGetsNoVerdictAndSendsNothing() async {
        let verdicts = IntentVerdicts()
        let waiter = Task { await verdicts.wait(for: "x") }
        while await verdicts.waitingCount == 0 { await Task.yield() }
        waiter.cancel()
        #expect(await waiter.value == nil)
        #expect(await verdicts.waitingCount == 0)
    }
}

/// The gate an order passes before it is sent: the intent goes out through the outbox, and only an
/// accepted verdict for this run lets the order go.
@Suite struct IntentGateTests {
    static func gate() -> (IntentGate, Outbox, IntentVerdicts) {
        let outbox = Outbox(limit: 100)
        let verdicts = IntentVerdicts()
        let output = JobOutput(jobId: 7, epoch: 3, outbox: outbox, metrics: WorkerMetrics(), fillBatchSize: 100)
        return (IntentGate(output: output, verdicts: verdicts), outbox, verdicts)
    }

    static func write(_ gate: IntentGate, sequence: Int64) async throws {
        try await gate.write(
            ClientOrderId(job: 7, epoch: 3, sequence: sequence), symbol: "BTCUSDT", side: .buy, type: .limit,
            timeInForce: .gtc,
            fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.00100")!, price: VenueDecimal("50000.10")!),
            decidedAtMs: 1)
    }

    @Test func anOrderGoesOnlyOnAnAcceptedVerdictForThisRun() async throws {
        let (gate, outbox, verdicts) = Self.gate()
        let accepted = Task { try await Self.write(gate, sequence: 0) }
        while await outbox.count == 0 { await Task.yield() }
        // The intent, in decimal, exactly as the order will carry it.
        guard case .intentWritten(let m) = await outbox.pending.first else {
            Issue.record("no intent in the outbox")
            return
        }
        #expect(
            m.clientOrderId == "ats-7-3-0" && m.quantity == "0.00100" && m.price == "50000.10" && m.timeInForce == "GTC"
        )
        await verdicts.deliver(IntentVerdict(jobId: 7, epoch: 3, clientOrderId: "ats-7-3-0", accepted: true))
        try await accepted.value

        let refused = Task { try await Self.write(gate, sequence: 1) }
        while await verdicts.waitingCount == 0 { await Task.yield() }
        await verdicts.deliver(
            IntentVerdict(jobId: 7, epoch: 3, clientOrderId: "ats-7-3-1", accepted: false, reason: "lease expired"))
        await #expect(throws: IntentGate.Refused.self) { try await refused.value }
    }
}
