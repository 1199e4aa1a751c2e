import ATSEngine
import Synchronization

/// Requests the connection loop passes to a running job, read by the job between chunks.
final class JobControl: Sendable {
    enum Request: Sendable, Equatable {
        case none
        /// Stop on the operator's request: final checkpoint, then report `stopped`.
        case stop
        /// The worker is draining or lost the lease: checkpoint and exit without a final report.
        case release
    }

    let jobId: Int64
    let epoch: Int64
    private let state = Mutex<(request: Request, reload: [String: ParameterValue]?)>((.none, nil))

    init(jobId: Int64, epoch: Int64) {
        self.jobId = jobId
        self.epoch = epoch
    }

    var request: Request { state.withLock { $0.request } }

    func set(_ r: Request) {
        state.withLock { s in
            if s.request == .none || r == .stop { s.request = r }
        }
    }

    func reload(_ config: [String: ParameterValue]) { state.withLock { $0.reload = config } }

    var hasReload: Bool { state.withLock { $0.reload != nil } }

    func takeReload() -> [String: ParameterValue]? {
        state.withLock { s in
            defer { s.reload = nil }
            return s.reload
        }
    }
}
