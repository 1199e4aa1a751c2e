import ATSCoordinator
import Testing

struct SchedulerTests {
    typealias Job = Scheduler.PendingJob
    typealias Slot = Scheduler.WorkerSlot

    @Test func oldestJobsFirstToTheWorkerWithMostFreeSlots() {
        let out = Scheduler.assign(
            pending: [Job(id: 1, labels: []), Job(id: 2, labels: []), Job(id: 3, labels: [])],
            workers: [Slot(id: "a", free: 1, labels: []), Slot(id: "b", free: 2, labels: [])])
        #expect(out.map(\.jobId) == [1, 2, 3])
        #expect(out.map(\.workerId) == ["b", "a", "b"])
    }

    @Test func labelsMustAllBePresent() {
        let out = Scheduler.assign(
            pending: [Job(id: 1, labels: ["gpu"]), Job(id: 2, labels: ["eu", "cpu"]), Job(id: 3, labels: [])],
            workers: [Slot(id: "a", free: 5, labels: ["cpu"]), Slot(id: "b", free: 1, labels: ["eu", "cpu"])])
        #expect(out.map { "\($0.jobId)@\($0.workerId)" } == ["2@b", "3@a"], "job 1 waits for a gpu worker")
    }

    @Test func neverExceedsCapacityAndStopsWhenFull() {
        let pending = (1...10).map { Job(id: Int64($0), labels: []) }
        let out = Scheduler.assign(
            pending: pending, workers: [Slot(id: "a", free: 2, labels: []), Slot(id: "b", free: 1, labels: [])])
        #expect(out.count == 3)
        #expect(out.filter { $0.workerId == "a" }.count == 2)
        #expect(Scheduler.assign(pending: pending, workers: [Slot(id: "a", free: 0, labels: [])]).isEmpty)
        #expect(Scheduler.assign(pending: pending, workers: []).isEmpty)
    }

    @Test func tiesGoToTheLowestWorkerIdSoDecisionsAreStable() {
        let workers = [
            Slot(id: "c", free: 1, labels: []), Slot(id: "a", free: 1, labels: []), Slot(id: "b", free: 1, labels: []),
        ]
        let out = Scheduler.assign(pending: [Job(id: 7, labels: [])], workers: workers)
        #expect(out.first?.workerId == "a")
    }
}
