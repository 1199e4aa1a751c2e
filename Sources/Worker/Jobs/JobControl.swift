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
        /// The kill switch: a live job cancels its open orders (and flattens) before it stops;
        /// any other job just stops.
        case halt(flatten: Bool)

        var isHalt: Bool { if case .halt = self { true } else { false } }
    }

    /// A newer revision of the job's definition: its strategy configuration (JSON object).
    struct Reload: Sendable, Equatable {
        var revision: Int64
        var config: [UInt8]
    }

    let jobId: Int64
    let epoch: Int64
    private let state = Mutex<(request: Request, reload: Reload?)>((.none, nil))
    /// A tick on every request or reload, for a job that waits on events rather than polling
    /// (``MarketJobRunner``); one consumer.
    let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    init(jobId: Int64, epoch: Int64) {
        self.jobId = jobId
        self.epoch = epoch
        (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var request: Request { state.withLock { $0.request } }

    func set(_ r: Request) {
        state.withLock { s in
            // A halt asks for most, then a stop, then a release.
            if r.isHalt || (!s.request.isHalt && (s.request == .none || r == .stop)) { s.request = r }
        }
        changed.yield()
    }

    /// Keeps the newest revision asked for (an older or repeated one changes nothing).
    func reload(_ r: Reload) {
        state.withLock { s in
            if s.reload.map({ r.revision > $0.revision }) ?? true { s.reload = r }
        }
        changed.yield()
    }

    var hasReload: Bool { state.withLock { $0.reload != nil } }

    /// The reload waiting, if it is newer than `revision` (an older one is dropped).
    func takeReload(after revision: Int64) -> Reload? {
        state.withLock { s in
            defer { s.reload = nil }
            return s.reload.flatMap { $0.revision > revision ? $0 : nil }
        }
    }
}
