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

    /// A sweep's chunks (`sweep` set) go to a free slot first, then wait behind a running chunk
    /// on a worker that holds chunks ahead: one per slot no other job holds. Ordinary jobs need
    /// a free slot, and go first.
    @Test func chunksWaitBehindRunningChunksOnWorkersThatHoldThemAhead() {
        let chunks = (10...19).map { Job(id: Int64($0), labels: [], sweep: 1) }
        func slot(_ id: String, capacity: Int, ahead: Bool, jobs: Int = 0, chunks: Int = 0) -> Slot {
            Slot(id: id, load: WorkerLoad(capacity: capacity, ahead: ahead, jobs: jobs, chunks: chunks), labels: [])
        }
        // Both busy with a chunk each; only "a" holds chunks ahead.
        var out = Scheduler.assign(
            pending: chunks,
            workers: [
                slot("a", capacity: 1, ahead: true, jobs: 1, chunks: 1),
                slot("b", capacity: 1, ahead: false, jobs: 1, chunks: 1),
            ])
        #expect(out.map { "\($0.jobId)@\($0.workerId)" } == ["10@a"])
        // Idle workers: free slots first (every worker starts one), then one ahead each.
        out = Scheduler.assign(
            pending: chunks, workers: [slot("a", capacity: 2, ahead: true), slot("b", capacity: 1, ahead: true)])
        #expect(out.map { "\($0.jobId)@\($0.workerId)" } == ["10@a", "11@a", "12@b", "13@a", "14@a", "15@b"])
        // A slot an ordinary job holds takes no chunk ahead; ordinary jobs take free slots only.
        out = Scheduler.assign(
            pending: [Job(id: 1, labels: [])] + chunks, workers: [slot("a", capacity: 2, ahead: true)])
        #expect(out.map { "\($0.jobId)@\($0.workerId)" } == ["1@a", "10@a", "11@a"])
        out = Scheduler.assign(
            pending: [Job(id: 1, labels: [])], workers: [slot("a", capacity: 1, ahead: true, jobs: 1, chunks: 1)])
        #expect(out.isEmpty, "a chunk holds the only slot")
    }

    /// An ordinary job waiting for a worker busy with a sweep is not overtaken by chunks held
    /// ahead: the worker is given no chunk to hold while the job waits, so the job takes the slot
    /// freed once the chunk held there now has run.
    @Test func anOrdinaryJobWaitingForAWorkerStopsChunksBeingHeldAheadThere() {
        func slot(_ id: String, jobs: Int, chunks: Int, labels: Set<String> = []) -> Slot {
            Slot(id: id, load: WorkerLoad(capacity: 1, ahead: true, jobs: jobs, chunks: chunks), labels: labels)
        }
        let chunks = (10...12).map { Job(id: Int64($0), labels: [], sweep: 1) }
        // One chunk runs on each; "b" cannot run job 1 (its label), so it still holds one ahead.
        var out = Scheduler.assign(
            pending: [Job(id: 1, labels: ["eu"])] + chunks,
            workers: [slot("a", jobs: 1, chunks: 1, labels: ["eu"]), slot("b", jobs: 1, chunks: 1)])
        #expect(out.map { "\($0.jobId)@\($0.workerId)" } == ["10@b"])
        // The slot "a" frees goes to job 1, before any chunk.
        out = Scheduler.assign(
            pending: [Job(id: 1, labels: ["eu"])] + chunks,
            workers: [slot("a", jobs: 0, chunks: 0, labels: ["eu"]), slot("b", jobs: 2, chunks: 2)])
        #expect(out.map { "\($0.jobId)@\($0.workerId)" } == ["1@a"])
        // Without a waiting job, "a" holds one ahead.
        out = Scheduler.assign(pending: chunks, workers: [slot("a", jobs: 1, chunks: 1, labels: ["eu"])])
        #expect(out.map { "\($0.jobId)@\($0.workerId)" } == ["10@a"])
    }

    /// The rule the scheduler, the store and the worker share, against counting slots by hand.
    @Test func aWorkersLoadAdmitsWhatItsSlotsHold() {
        for capacity in 1...4 {
            for others in 0...capacity + 1 {
                for chunks in 0...2 * capacity + 1 {
                    let load = WorkerLoad(capacity: capacity, ahead: true, jobs: others + chunks, chunks: chunks)
                    // Slots no ordinary job holds: each runs one chunk and holds one more.
                    let places = max(0, capacity - others) * 2
                    #expect(load.admits(chunk: true) == (chunks < places), "\(capacity) \(others) \(chunks)")
                    #expect(load.admits(chunk: false) == (others + chunks < capacity))
                    let plain = WorkerLoad(capacity: capacity, jobs: others + chunks, chunks: chunks)
                    #expect(plain.admits(chunk: true) == (others + chunks < capacity))
                }
            }
        }
    }
}
