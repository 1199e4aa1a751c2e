import ATSCoordinator
import ATSShared
import Testing

/// The coordinator's side of a worker session, event by event: the order of a hello, batches with
/// one cumulative ack each, one renewal in flight, and a close on any broken rule.
struct WorkerSessionTests {
    static let hello = Hello(
        workerId: "w1", host: "h", capacity: 2, labels: [], running: [JobLease(jobId: 7, epoch: 3)])

    static func session() -> WorkerSession {
        var rules = WorkerSessionRules()
        _ = try? rules.accept(.hello(hello))
        return WorkerSession(
            hello: hello, rules: rules,
            welcome: Welcome(coordinatorId: "c", heartbeatIntervalMs: 200, leaseTimeoutMs: 1000, proof: []))
    }

    static func names(_ actions: [WorkerSession.Action]) -> [String] {
        actions.map {
            switch $0 {
            case .claim: "claim"
            case .connect: "connect"
            case .send(let m): "send \(m.name)"
            case .open: "open"
            case .persist(let b): "persist \(b.count)"
            case .renew: "renew"
            case .markDraining: "markDraining"
            case .diverged: "diverged"
            case .schedule: "schedule"
            case .close: "close"
            case .disconnect: "disconnect"
            }
        }
    }

    static func progress(_ seq: UInt64) -> WireMessage {
        .progress(
            JobProgress(header: JobHeader(jobId: 7, epoch: 3, messageSeq: seq), barsDone: 1, barsTotal: 2, equity: 1))
    }

    @Test func welcomeComesAfterReconciliationThenStopsThenOpen() {
        var s = Self.session()
        #expect(Self.names(s.start()) == ["claim"])
        #expect(Self.names(s.handle(.claimed(connection: 1, sessionId: "s1"))) == ["connect"])
        // Frames read before the store answered wait: nothing is persisted or renewed yet.
        #expect(Self.names(s.handle(.frame(.heartbeat(Heartbeat(sentAtMs: 5, runningJobs: 1))))) == [])
        #expect(Self.names(s.handle(.frame(Self.progress(1)))) == [])
        let opened = s.handle(.connected(JobStore.Connection(stops: [JobLease(jobId: 9, epoch: 1)])))
        #expect(Self.names(opened) == ["send Welcome", "send StopJob", "open", "persist 1", "renew"])
    }

    @Test func oneBatchInFlightAndOneCumulativeAckEach() {
        var s = Self.session()
        _ = s.handle(.claimed(connection: 1, sessionId: "s1"))
        _ = s.handle(.connected(JobStore.Connection()))
        #expect(Self.names(s.handle(.frame(Self.progress(1)))) == ["persist 1"])
        #expect(Self.names(s.handle(.frame(Self.progress(2)))) == [])
        #expect(Self.names(s.handle(.frame(Self.progress(3)))) == [])
        let done = s.handle(.persisted(JobStore.Persisted()))
        #expect(Self.names(done) == ["send Ack", "persist 2"])
        if case .send(.ack(let a)) = done.first { #expect(a.messageSeq == 1) }
        let next = s.handle(.persisted(JobStore.Persisted()))
        if case .send(.ack(let a)) = next.first { #expect(a.messageSeq == 3) }
        #expect(s.backlog == 0)
        #expect(s.retained == 0, "the messages persisted are let go (a sweep chunk's records are megabytes)")
    }

    @Test func aRenewalNeverWaitsBehindBatchesAndTheNewestBeatGoesNext() {
        var s = Self.session()
        _ = s.handle(.claimed(connection: 1, sessionId: "s1"))
        _ = s.handle(.connected(JobStore.Connection()))
        #expect(Self.names(s.handle(.frame(Self.progress(1)))) == ["persist 1"])
        #expect(Self.names(s.handle(.frame(.heartbeat(Heartbeat(sentAtMs: 1, runningJobs: 1))))) == ["renew"])
        #expect(Self.names(s.handle(.frame(.heartbeat(Heartbeat(sentAtMs: 2, runningJobs: 1))))) == [])
        #expect(Self.names(s.handle(.frame(.heartbeat(Heartbeat(sentAtMs: 3, runningJobs: 1))))) == [])
        let echoed = s.handle(.renewed(Heartbeat(sentAtMs: 1, runningJobs: 1)))
        #expect(Self.names(echoed) == ["send Heartbeat", "renew"])
        if case .renew(let beat) = echoed.last { #expect(beat.sentAtMs == 3) }
    }

    @Test func aBrokenRuleOrAFailedStoreCallClosesOnceAndLateAnswersAreIgnored() {
        var s = Self.session()
        _ = s.handle(.claimed(connection: 4, sessionId: "s1"))
        _ = s.handle(.connected(JobStore.Connection()))
        _ = s.handle(.frame(Self.progress(1)))
        #expect(Self.names(s.handle(.frame(Self.progress(5)))) == ["close", "disconnect"])
        #expect(s.isClosed)
        #expect(Self.names(s.handle(.persisted(JobStore.Persisted()))) == [])
        #expect(Self.names(s.handle(.closed)) == [])

        var t = Self.session()
        _ = t.handle(.claimed(connection: 4, sessionId: "s1"))
        #expect(Self.names(t.handle(.failed("database down"))) == ["close", "disconnect"])
    }

    @Test func aDuplicateIsRefusedWithoutTouchingTheStore() {
        var s = Self.session()
        #expect(Self.names(s.handle(.duplicate(host: "other"))) == ["send Refuse", "close"])
    }

    @Test func divergedFillsStopTheJobAndEndedJobsSchedule() {
        var s = Self.session()
        _ = s.handle(.claimed(connection: 1, sessionId: "s1"))
        _ = s.handle(.connected(JobStore.Connection()))
        _ = s.handle(.frame(Self.progress(1)))
        var done = JobStore.Persisted()
        done.diverged = [JobLease(jobId: 7, epoch: 3)]
        done.jobsEnded = true
        #expect(Self.names(s.handle(.persisted(done))) == ["send Ack", "diverged", "schedule"])
    }

    /// An order intent's verdict goes out once its batch committed, before the batch's ack: the
    /// worker sends the order only on it.
    @Test func verdictsOnOrderIntentsGoOutBeforeTheAck() {
        var s = Self.session()
        _ = s.handle(.claimed(connection: 1, sessionId: "s1"))
        _ = s.handle(.connected(JobStore.Connection()))
        _ = s.handle(.frame(Self.progress(1)))
        var done = JobStore.Persisted()
        done.verdicts = [IntentVerdict(jobId: 7, epoch: 3, clientOrderId: "ats-7-3-0", accepted: true)]
        #expect(Self.names(s.handle(.persisted(done))) == ["send IntentVerdict", "send Ack"])
    }
}
