import ATSShared
import Testing

@testable import ATSWorker

/// The worker's slots: chunks held ahead wait for one in order, other jobs take one at once, and
/// a waiting chunk asked to stop leaves without one.
struct RunSlotsTests {
    /// Waits until `condition` holds (the waiters are tasks: their order of arrival is made
    /// certain by waiting for each to be queued).
    func until(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    @Test func waitingChunksGetSlotsInOrderAndAWithdrawnOneLeavesWithout() async {
        let slots = RunSlots(capacity: 1)
        #expect(await slots.wait(JobLease(jobId: 1, epoch: 1), unless: { false }), "a free slot: at once")
        #expect(slots.running == 1)
        var tasks: [Task<Bool, Never>] = []
        for id in Int64(2)...4 {
            tasks.append(Task { await slots.wait(JobLease(jobId: id, epoch: 1), unless: { false }) })
            await until { slots.waiting == Int(id) - 1 }
        }
        slots.withdraw(JobLease(jobId: 3, epoch: 2))
        #expect(slots.waiting == 3, "another epoch of job 3 is not the one waiting")
        slots.withdraw(JobLease(jobId: 3, epoch: 1))
        #expect(await tasks[1].value == false, "withdrawn: no slot")
        #expect(slots.running == 1)
        slots.leave()
        #expect(await tasks[0].value == true, "the first waiting (chunk 2) took it")
        #expect(slots.running == 1 && slots.waiting == 1)
        slots.enter()
        #expect(slots.running == 2, "another job takes a slot at once")
        slots.leave()
        #expect(slots.waiting == 1, "still over capacity: chunk 4 waits")
        slots.leave()
        #expect(await tasks[2].value == true)
        slots.leave()
        #expect(slots.running == 0 && slots.waiting == 0)
    }

    /// A chunk whose stop came before it asked for a slot never waits for one.
    @Test func aChunkAlreadyAskedToStopTakesNoSlot() async {
        let slots = RunSlots(capacity: 1)
        #expect(await slots.wait(JobLease(jobId: 1, epoch: 1), unless: { true }) == false)
        #expect(slots.running == 0 && slots.waiting == 0)
    }
}
