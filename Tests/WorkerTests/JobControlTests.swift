import Testing

@testable import ATSWorker

struct JobControlTests {
    @Test func onlyANewerRevisionIsTakenAndAStopOutranksARelease() {
        let control = JobControl(jobId: 1, epoch: 3)
        control.reload(.init(revision: 3, config: [1]))
        control.reload(.init(revision: 2, config: [2]))  // older: ignored
        #expect(control.takeReload(after: 1) == .init(revision: 3, config: [1]))
        #expect(control.takeReload(after: 1) == nil, "taken once")
        control.reload(.init(revision: 3, config: [1]))
        #expect(control.takeReload(after: 3) == nil, "already running revision 3")
        control.set(.release)
        control.set(.stop)
        #expect(control.request == .stop)
        control.set(.release)
        #expect(control.request == .stop)
    }

    @Test func theKillSwitchOutranksAStopAndARelease() {
        let control = JobControl(jobId: 1, epoch: 3)
        control.set(.stop)
        control.set(.halt(flatten: true))
        #expect(control.request == .halt(flatten: true))
        control.set(.stop)
        control.set(.release)
        #expect(control.request == .halt(flatten: true))
        let drained = JobControl(jobId: 2, epoch: 1)
        drained.set(.release)
        drained.set(.halt(flatten: false))
        #expect(drained.request == .halt(flatten: false))
    }
}
