import ATSShared

/// The stop and reload requests already sent, so each goes to a worker once per assignment and
/// revision, until the worker reconnects (then every request still due is sent again: a reload
/// sent while the worker was away is not lost). A new leadership term starts with none: no worker
/// is connected to a new leader yet.
public struct RequestMemo: Sendable {
    public struct ReloadKey: Hashable, Sendable {
        public var jobId: Int64
        public var epoch: Int64
        public var revision: Int64
    }

    public private(set) var term: Int64 = 0
    private var stops: [JobLease: (worker: String, strength: Int)] = [:]
    private var reloads: [ReloadKey: String] = [:]

    public init() {}

    /// A pass under `term` starts: a new term forgets everything.
    public mutating func begin(term: Int64) {
        if term != self.term { self = RequestMemo(term: term) }
    }

    private init(term: Int64) { self.term = term }

    /// Whether to send this stop now (false: sent already); remembered as sent. A halt (the kill
    /// switch) goes out even after a plain stop for the same assignment, and a halt with a flatten
    /// after one without: each asks for more.
    public mutating func admit(stop lease: JobLease, to worker: String, halt: Bool = false, flatten: Bool = false)
        -> Bool
    {
        let strength = halt ? (flatten ? 2 : 1) : 0
        if let sent = stops[lease], sent.strength >= strength { return false }
        stops[lease] = (worker, strength)
        return true
    }

    public mutating func admit(reload r: ReloadJob, to worker: String) -> Bool {
        let key = ReloadKey(jobId: r.jobId, epoch: r.epoch, revision: r.revision)
        guard reloads[key] == nil else { return false }
        reloads[key] = worker
        return true
    }

    /// The request could not be sent (the worker is between connections): due again next pass.
    public mutating func unsent(_ message: WireMessage) {
        switch message {
        case .stop(let s): stops[JobLease(jobId: s.jobId, epoch: s.epoch)] = nil
        case .reload(let r): reloads[ReloadKey(jobId: r.jobId, epoch: r.epoch, revision: r.revision)] = nil
        default: break
        }
    }

    /// The worker reconnected: what is still due is sent again on its new connection.
    public mutating func forget(worker: String) {
        stops = stops.filter { $0.value.worker != worker }
        reloads = reloads.filter { $0.value != worker }
    }
}
