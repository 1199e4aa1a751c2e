import ATSCoordinator
import ATSShared
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

    /// A job no connected worker could ever run says why; a job only waiting for a free slot
    /// does not.
    @Test func aJobNoConnectedWorkerCanRunSaysWhy() {
        let models = WorkerCapability.label(WorkerCapability.models)
        let pending = [
            Job(id: 1, labels: ["gpu"]), Job(id: 2, labels: [models]), Job(id: 3, labels: ["cpu"]),
            Job(id: 4, labels: ["gpu", models]),
        ]
        let workers = [Slot(id: "old", free: 0, labels: ["cpu"]), Slot(id: "b", free: 0, labels: ["cpu", "eu"])]
        let why = Scheduler.waitingReasons(pending: pending, workers: workers)
        #expect(why[3] == nil, "a full worker could run it: it waits its turn")
        #expect(why[1] == "no connected worker has the label gpu")
        #expect(
            why[2]
                == "no connected worker has the capability models (workers of an earlier release lack it: upgrade them)"
        )
        #expect(why[4]?.hasPrefix("no connected worker has the label gpu and the capability models") == true)
        #expect(
            Scheduler.waitingReasons(pending: [Job(id: 9, labels: [])], workers: [])[9]
                == "no worker is connected (draining ones take no job)")
    }
}
