import ATSShared
import Synchronization

/// The worker's slots: `capacity` jobs run at once. A sweep's chunk held ahead (``WorkerLoad``)
/// waits here for a slot, first come first served; any other job takes one at once (the
/// connection admitted it within capacity, so one is free). A waiting chunk asked to stop or to
/// give itself back leaves without a slot (``withdraw(_:)``).
final class RunSlots: Sendable {
    private struct Waiter {
        var lease: JobLease
        var resume: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var running = 0
        var waiting: [Waiter] = []
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// Jobs running now (holding a slot).
    var running: Int { state.withLock { $0.running } }

    /// Chunks waiting for a slot.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Takes a slot at once.
    func enter() { state.withLock { $0.running += 1 } }

    /// Takes a slot, waiting for one if none is free. False: withdrawn before a slot came, or
    /// `withdrawn()` (read with the slots locked, so a request set before ``withdraw(_:)`` is
    /// never missed) already held; it holds no slot then.
    func wait(_ lease: JobLease, unless withdrawn: () -> Bool) async -> Bool {
        await withCheckedContinuation { resume in
            let now: Bool? = state.withLock { s in
                if withdrawn() { return false }
                if s.running < capacity && s.waiting.isEmpty {
                    s.running += 1
                    return true
                }
                s.waiting.append(Waiter(lease: lease, resume: resume))
                return nil
            }
            if let now { resume.resume(returning: now) }
        }
    }

    /// Gives a slot back: the first waiting chunk takes it.
    func leave() {
        let next: Waiter? = state.withLock { s in
            s.running -= 1
            guard s.running < capacity, !s.waiting.isEmpty else { return nil }
            s.running += 1
            return s.waiting.removeFirst()
        }
        next?.resume.resume(returning: true)
    }

    /// A waiting chunk was asked to stop or give itself back: it leaves without a slot.
    func withdraw(_ lease: JobLease) {
        let gone: [Waiter] = state.withLock { s in
            let gone = s.waiting.filter { $0.lease == lease }
            s.waiting.removeAll { $0.lease == lease }
            return gone
        }
        for w in gone { w.resume.resume(returning: false) }
    }
}
