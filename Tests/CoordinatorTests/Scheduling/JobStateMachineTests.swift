import ATSCoordinator
import ATSShared
import Testing

struct JobStateMachineTests {
    typealias M = JobStateMachine

    @Test func theHappyPath() {
        #expect(M.apply(.assign, to: .pending) == .transition(.assigned))
        #expect(M.apply(.started, to: .assigned) == .transition(.running))
        #expect(M.apply(.completed, to: .running) == .transition(.completed))
    }

    @Test func aLostLeaseReturnsTheJobToPendingOrStopsIt() {
        #expect(M.apply(.leaseLost(desired: .running), to: .running) == .transition(.pending))
        #expect(M.apply(.leaseLost(desired: .stopped), to: .assigned) == .transition(.stopped))
        if case .refused = M.apply(.leaseLost(desired: .running), to: .completed) {
        } else {
            Issue.record("completed jobs keep their status")
        }
    }

    @Test func operatorRequests() {
        #expect(M.apply(.stopRequested, to: .pending) == .transition(.stopped))
        #expect(M.apply(.stopRequested, to: .running) == .unchanged, "the worker is told and reports")
        #expect(M.apply(.startRequested, to: .stopped) == .transition(.pending))
        #expect(M.apply(.startRequested, to: .failed) == .transition(.pending))
        guard case .refused(let why) = M.apply(.startRequested, to: .completed) else {
            Issue.record("must refuse")
            return
        }
        #expect(why.contains("completed"))
        guard case .refused(let d) = M.apply(.deleteRequested, to: .running) else {
            Issue.record("must refuse")
            return
        }
        #expect(d.contains("stop it first"))
        #expect(M.apply(.deleteRequested, to: .failed) == .unchanged)
    }

    @Test func workerReportsOnlyApplyToActiveJobs() {
        for status in JobStatus.allCases where !status.isActive {
            for event in [M.Event.completed, .stoppedByWorker, .failed, .started] {
                if case .refused = M.apply(event, to: status) { continue }
                Issue.record("\(event) applied to \(status)")
            }
        }
        #expect(M.sources(of: .completed) == [.assigned, .running])
        #expect(M.sources(of: .assign) == [.pending])
    }
}
