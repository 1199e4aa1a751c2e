import ATSCoordinator
import ATSShared

/// One TCP connection between a simulated worker and the coordinator: frames in order each way,
/// each side closing on its own, and the coordinator's state for it.
final class SimConnection {
    let id: Int
    let worker: SimWorker
    let coordinatorIncarnation: Int
    var workerClosed = false
    var coordinatorClosed = false
    /// Reset: whatever is in flight is lost.
    var reset = false
    /// When the last frame each way arrives (frames keep their order).
    var lastToCoordinator: Int64 = 0
    var lastToWorker: Int64 = 0
    var lastJobMessage: WireMessage?

    // The coordinator's side.
    var rules = WorkerSessionRules()
    var nonce: [UInt8] = []
    var session: WorkerSession?
    var acceptedAt: Int64 = 0
    var lastFrameAt: Int64 = 0

    init(id: Int, worker: SimWorker, coordinatorIncarnation: Int) {
        self.id = id
        self.worker = worker
        self.coordinatorIncarnation = coordinatorIncarnation
    }
}
