import ATSEngine
import Foundation

/// A job row as the API shows it.
public struct JobRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var name: String
    public var mode: String
    public var labels: [String]
    public var desiredState: DesiredState
    public var status: JobStatus
    public var epoch: Int64
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var barsDone: Int64
    public var barsTotal: Int64
    public var equity: Double?
    public var lastError: String?
    public var statistics: BacktestStatistics?
    /// The job's definition; nil when the stored one cannot be read (``specError`` says why).
    public var spec: JobSpec?
    /// Why the stored definition could not be read (a row written by hand or by another version).
    public var specError: String?
    /// The definition's revision: 1 at creation, one more at each reload.
    public var specRevision: Int64
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// What a running job is doing before it trades: empty, or `reconciling` (a resumed live job
    /// settling its predecessor's orders and trades with the venue).
    public var phase: String = ""
    /// Why the kill switch holds this live job (nil: it does not): it places nothing until released.
    public var haltReason: String?
    /// Why a pending job waits when no connected worker can run it (a label or capability none
    /// has; nil: it waits its turn, or is not pending). Set by the leader's scheduler.
    public var waitingFor: String?

    /// The status as operators read it: RECONCILING while a running live job reconciles.
    public var shownStatus: String { status == .running && !phase.isEmpty ? phase : status.rawValue }

    /// Share of the bars processed, 0…1.
    public var progress: Double {
        barsTotal > 0 ? min(1, Double(barsDone) / Double(barsTotal)) : (status == .completed ? 1 : 0)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, mode, labels, status, epoch, equity, statistics, spec, progress, phase
        case desiredState = "desired_state"
        case leaseOwner = "lease_owner"
        case leaseExpiresAt = "lease_expires_at"
        case barsDone = "bars_done"
        case barsTotal = "bars_total"
        case lastError = "last_error"
        case specError = "spec_error"
        case specRevision = "spec_revision"
        case haltReason = "halt_reason"
        case waitingFor = "waiting_for"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    public init(
        id: Int64, name: String, mode: String, labels: [String], desiredState: DesiredState, status: JobStatus,
        epoch: Int64, leaseOwner: String?, leaseExpiresAt: Date?, barsDone: Int64, barsTotal: Int64, equity: Double?,
        lastError: String?, statistics: BacktestStatistics?, spec: JobSpec?, specError: String? = nil,
        specRevision: Int64 = 1, createdAt: Date, updatedAt: Date, startedAt: Date?, finishedAt: Date?
    ) {
        self.id = id
        self.name = name
        self.mode = mode
        self.labels = labels
        self.desiredState = desiredState
        self.status = status
        self.epoch = epoch
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.barsDone = barsDone
        self.barsTotal = barsTotal
        self.equity = equity
        self.lastError = lastError
        self.statistics = statistics
        self.spec = spec
        self.specError = specError
        self.specRevision = specRevision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
            mode: try c.decode(String.self, forKey: .mode), labels: try c.decode([String].self, forKey: .labels),
            desiredState: try c.decode(DesiredState.self, forKey: .desiredState),
            status: try c.decode(JobStatus.self, forKey: .status), epoch: try c.decode(Int64.self, forKey: .epoch),
            leaseOwner: try c.decodeIfPresent(String.self, forKey: .leaseOwner),
            leaseExpiresAt: try c.decodeIfPresent(Date.self, forKey: .leaseExpiresAt),
            barsDone: try c.decode(Int64.self, forKey: .barsDone),
            barsTotal: try c.decode(Int64.self, forKey: .barsTotal),
            equity: try c.decodeIfPresent(Double.self, forKey: .equity),
            lastError: try c.decodeIfPresent(String.self, forKey: .lastError),
            statistics: try c.decodeIfPresent(BacktestStatistics.self, forKey: .statistics),
            spec: try c.decodeIfPresent(JobSpec.self, forKey: .spec),
            specError: try c.decodeIfPresent(String.self, forKey: .specError),
            specRevision: try c.decodeIfPresent(Int64.self, forKey: .specRevision) ?? 1,
            createdAt: try c.decode(Date.self, forKey: .createdAt),
            updatedAt: try c.decode(Date.self, forKey: .updatedAt),
            startedAt: try c.decodeIfPresent(Date.self, forKey: .startedAt),
            finishedAt: try c.decodeIfPresent(Date.self, forKey: .finishedAt))
        phase = try c.decodeIfPresent(String.self, forKey: .phase) ?? ""
        haltReason = try c.decodeIfPresent(String.self, forKey: .haltReason)
        waitingFor = try c.decodeIfPresent(String.self, forKey: .waitingFor)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(mode, forKey: .mode)
        try c.encode(labels, forKey: .labels)
        try c.encode(desiredState, forKey: .desiredState)
        try c.encode(status, forKey: .status)
        try c.encode(epoch, forKey: .epoch)
        try c.encodeIfPresent(leaseOwner, forKey: .leaseOwner)
        try c.encodeIfPresent(leaseExpiresAt, forKey: .leaseExpiresAt)
        try c.encode(barsDone, forKey: .barsDone)
        try c.encode(barsTotal, forKey: .barsTotal)
        try c.encode(progress, forKey: .progress)
        try c.encodeIfPresent(equity, forKey: .equity)
        try c.encodeIfPresent(lastError, forKey: .lastError)
        try c.encodeIfPresent(statistics, forKey: .statistics)
        try c.encodeIfPresent(spec, forKey: .spec)
        try c.encodeIfPresent(specError, forKey: .specError)
        try c.encode(specRevision, forKey: .specRevision)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(startedAt, forKey: .startedAt)
        try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
        if !phase.isEmpty { try c.encode(phase, forKey: .phase) }
        try c.encodeIfPresent(haltReason, forKey: .haltReason)
        try c.encodeIfPresent(waitingFor, forKey: .waitingFor)
    }
}
