import ATSCoordinator
import ATSShared
import Testing

/// A scheduling pass step by step: requests sent once per connection (and again when a pass died
/// before sending them), assignments bound to the connection they were decided for, an unsent
/// assignment taken back.
struct SchedulingPassTests {
    static let lease = JobLease(jobId: 4, epoch: 2)

    static func open(_ id: String, free: Int, session: String) -> SchedulingPass.OpenWorker {
        .init(slot: Scheduler.WorkerSlot(id: id, free: free, labels: []), sessionId: session, capacity: free)
    }

    @Test func aStopIsSentOnceAndAgainAfterAFailedSendOrAReconnect() {
        var memo = RequestMemo()
        for expectSend in [true, false] {
            var pass = SchedulingPass(term: 1)
            #expect({ if case .reap = pass.start(memo: &memo) { true } else { false } }())
            _ = pass.handle(.reaped([]), memo: &memo)
            _ = pass.handle(.stopRequests([(Self.lease, "w1")]), memo: &memo)
            let next = pass.handle(.reloadRequests([]), memo: &memo)
            if expectSend {
                guard case .send(.stop(let s), "w1", nil) = next else {
                    Issue.record("expected the stop, got \(next)")
                    return
                }
                #expect(s.jobId == 4 && s.epoch == 2)
                #expect({ if case .readPendingJobs = pass.handle(.sent(true), memo: &memo) { true } else { false } }())
            } else {
                #expect({ if case .readPendingJobs = next { true } else { false } }(), "sent once")
            }
        }
        memo.forget(worker: "w1")
        var again = SchedulingPass(term: 1)
        _ = again.start(memo: &memo)
        _ = again.handle(.reaped([]), memo: &memo)
        _ = again.handle(.stopRequests([(Self.lease, "w1")]), memo: &memo)
        #expect({ if case .send = again.handle(.reloadRequests([]), memo: &memo) { true } else { false } }())
    }

    /// The kill switch after a plain stop of the same assignment: the halt still goes out (it asks
    /// the run to cancel its orders and flatten), once.
    @Test func aHaltGoesOutAfterAPlainStopOnce() {
        var memo = RequestMemo()
        func pass(halts: [JobLease: Bool]) -> SchedulingPass.Action {
            var p = SchedulingPass(term: 1)
            _ = p.start(memo: &memo)
            _ = p.handle(.reaped([]), memo: &memo)
            _ = p.handle(.stopRequests([(Self.lease, "w1")], halts: halts), memo: &memo)
            return p.handle(.reloadRequests([]), memo: &memo)
        }
        guard case .send(.stop(let plain), "w1", nil) = pass(halts: [:]) else {
            Issue.record("expected the plain stop")
            return
        }
        #expect(!plain.halt)
        guard case .send(.stop(let halt), "w1", nil) = pass(halts: [Self.lease: false]) else {
            Issue.record("expected the halt after the plain stop")
            return
        }
        #expect(halt.halt && !halt.flatten && halt.reason == "kill switch")
        // Killed again with a flatten: that asks for more, so it goes out too.
        guard case .send(.stop(let flatten), "w1", nil) = pass(halts: [Self.lease: true]) else {
            Issue.record("expected the halt with a flatten after the one without")
            return
        }
        #expect(flatten.halt && flatten.flatten)
        #expect({ if case .readPendingJobs = pass(halts: [Self.lease: true]) { true } else { false } }(), "once")
        #expect({ if case .readPendingJobs = pass(halts: [Self.lease: false]) { true } else { false } }(), "weaker")
        #expect({ if case .readPendingJobs = pass(halts: [:]) { true } else { false } }(), "no plain stop after it")
    }

    @Test func aPassAbandonedBeforeSendingLeavesTheStopDue() {
        var memo = RequestMemo()
        var dead = SchedulingPass(term: 1)
        _ = dead.start(memo: &memo)
        _ = dead.handle(.reaped([]), memo: &memo)
        _ = dead.handle(.stopRequests([(Self.lease, "w1")]), memo: &memo)
        // The reload read never answers: the pass is left behind at its deadline.
        var next = SchedulingPass(term: 1)
        _ = next.start(memo: &memo)
        _ = next.handle(.reaped([]), memo: &memo)
        _ = next.handle(.stopRequests([(Self.lease, "w1")]), memo: &memo)
        #expect(
            {
                if case .send(.stop, "w1", nil) = next.handle(.reloadRequests([]), memo: &memo) { true } else { false }
            }())
    }

    @Test func anAssignmentGoesToItsConnectionAndIsTakenBackIfUnsent() {
        var memo = RequestMemo()
        var pass = SchedulingPass(term: 3)
        _ = pass.start(memo: &memo)
        _ = pass.handle(.reaped([]), memo: &memo)
        _ = pass.handle(.stopRequests([]), memo: &memo)
        _ = pass.handle(.reloadRequests([]), memo: &memo)
        let pending = [Scheduler.PendingJob(id: 7, labels: [])]
        guard
            case .assign(7, "w2", "s2", 1, false) = pass.handle(
                .pending(pending, open: [Self.open("w2", free: 1, session: "s2")]), memo: &memo)
        else {
            Issue.record("expected an assignment for w2's session")
            return
        }
        let a = AssignJob(jobId: 7, epoch: 5, name: "j", spec: [], checkpoint: [])
        guard case .send(.assign, "w2", "s2") = pass.handle(.assigned(a), memo: &memo) else {
            Issue.record("expected the send on s2")
            return
        }
        guard case .unassign(7, 5, "w2") = pass.handle(.sent(false), memo: &memo) else {
            Issue.record("an unsent assignment is taken back")
            return
        }
        #expect({ if case .done = pass.handle(.unassigned, memo: &memo) { true } else { false } }())
    }

    @Test func aNewTermForgetsWhatWasSent() {
        var memo = RequestMemo()
        let first = memo.admit(stop: Self.lease, to: "w1")
        let again = memo.admit(stop: Self.lease, to: "w1")
        #expect(first && !again)
        memo.begin(term: 2)
        let afterNewTerm = memo.admit(stop: Self.lease, to: "w1")
        #expect(afterNewTerm)
    }
}
