import ATSEngine
import Foundation

/// A job definition as users write it (JSON or YAML) and as the coordinator stores it:
///
/// ```json
/// {"name": "btc-sma", "mode": "backtest", "labels": ["cpu"],
///  "data": {"path": "data/btc-1m.csv"},
///  "exchange": {"namespace": "exchanges:simulated", "symbol": {"base": "BTC", "quote": "USDT"}},
///  "strategy": {"namespace": "strategies:sma_cross", "config": {"fast": 10, "slow": 30}},
///  "fees": {"namespace": "fees:generic", "config": {"taker": 0.001}},
///  "portfolio": {"cash": 100000}}
/// ```
public struct JobSpec: Sendable, Hashable, Codable, SpecJSON {
    public var name: String
    public var mode: JobMode
    /// A worker may run the job only if it has every one of these labels.
    public var labels: [String]
    public var data: DataSource
    public var run: RunSpec
    /// Bars between checkpoints.
    public var checkpointEvery: Int
    /// Paper mode: milliseconds of wall-clock time per bar (0: the data's own interval).
    public var paperPaceMs: Int
    /// A live market instead of a data file (paper trading on live data, or live trading):
    /// `data` is then unused.
    public var market: MarketSource?
    /// A live job's venue credential, by name (`ats credentials add`).
    public var credentials: String?
    /// A live job's risk limits (nil: none beyond the venue's own).
    public var risk: RiskLimits?
    /// What a live job does when its worker is lost (nil: resume).
    public var onWorkerLost: WorkerLossPolicy?
    /// A chunk of a sweep's trials (nil: an ordinary job). Made by the coordinator only.
    public var sweep: SweepChunkSpec?

    public static let defaultCheckpointEvery = 100_000

    public init(
        name: String, mode: JobMode = .backtest, labels: [String] = [], data: DataSource, run: RunSpec,
        checkpointEvery: Int = JobSpec.defaultCheckpointEvery, paperPaceMs: Int = 0, market: MarketSource? = nil,
        credentials: String? = nil, risk: RiskLimits? = nil, onWorkerLost: WorkerLossPolicy? = nil
    ) {
        self.name = name
        self.mode = mode
        self.labels = labels
        self.data = data
        self.run = run
        self.checkpointEvery = checkpointEvery
        self.paperPaceMs = paperPaceMs
        self.market = market
        self.credentials = credentials
        self.risk = risk
        self.onWorkerLost = onWorkerLost
    }

    enum CodingKeys: String, CodingKey {
        case name, mode, labels, data, exchange, strategy, fees, portfolio, market, credentials, risk, sweep
        case onWorkerLost = "on_worker_lost"
        case checkpointEvery = "checkpoint_every"
        case paperPaceMs = "paper_pace_ms"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        mode = try c.decodeIfPresent(JobMode.self, forKey: .mode) ?? .backtest
        labels = try c.decodeIfPresent([String].self, forKey: .labels) ?? []
        market = try c.decodeIfPresent(MarketSource.self, forKey: .market)
        credentials = try c.decodeIfPresent(String.self, forKey: .credentials)
        risk = try c.decodeIfPresent(RiskLimits.self, forKey: .risk)
        onWorkerLost = try c.decodeIfPresent(WorkerLossPolicy.self, forKey: .onWorkerLost)
        sweep = try c.decodeIfPresent(SweepChunkSpec.self, forKey: .sweep)
        // A job on a live market has no data file.
        data = try market == nil ? c.decode(DataSource.self, forKey: .data) : DataSource(path: "")
        run = try RunSpec(from: decoder)
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? Self.defaultCheckpointEvery
        paperPaceMs = try c.decodeIfPresent(Int.self, forKey: .paperPaceMs) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(mode, forKey: .mode)
        try c.encode(labels, forKey: .labels)
        if market == nil { try c.encode(data, forKey: .data) }
        try c.encodeIfPresent(market, forKey: .market)
        try c.encodeIfPresent(credentials, forKey: .credentials)
        try c.encodeIfPresent(risk, forKey: .risk)
        try c.encodeIfPresent(onWorkerLost, forKey: .onWorkerLost)
        try c.encodeIfPresent(sweep, forKey: .sweep)
        try c.encode(run.exchange, forKey: .exchange)
        try c.encode(run.strategy, forKey: .strategy)
        try c.encode(run.fees, forKey: .fees)
        try c.encode(run.portfolio, forKey: .portfolio)
        try c.encode(checkpointEvery, forKey: .checkpointEvery)
        try c.encode(paperPaceMs, forKey: .paperPaceMs)
    }

    /// Checks everything that can be checked before a worker runs the job: names, labels, the
    /// run spec against the registry. Returns the resolved run.
    @discardableResult
    public func validate(with registry: Registry) throws(SpecError) -> ResolvedRun {
        // A sweep's chunk is named `sweep:chunk` (no other job's name has a colon).
        let chunkName = name.split(separator: ":", omittingEmptySubsequences: false)
        let isChunk =
            sweep != nil && chunkName.count == 2 && Self.isValidName(String(chunkName[0]))
            && Int(chunkName[1]) != nil
        guard Self.isValidName(name) || isChunk else {
            throw SpecError(
                field: "name", reason: "must be 1-100 characters of letters, digits, '.', '_' or '-', got \"\(name)\"")
        }
        for (i, label) in labels.enumerated() where !Self.isValidName(label) || label.count > 50 {
            throw SpecError(
                field: "labels[\(i)]", reason: "must be 1-50 characters of letters, digits, '.', '_' or '-'")
        }
        if mode == .live {
            guard market != nil else {
                throw SpecError(
                    field: "market",
                    reason: "a live job trades a live market: give market (venue, endpoint, symbol, interval)")
            }
            guard let name = credentials, !name.isEmpty else {
                throw SpecError(
                    field: "credentials", reason: "a live job needs a venue credential's name (ats credentials add)")
            }
        } else if credentials != nil {
            throw SpecError(field: "credentials", reason: "only a live job uses venue credentials")
        } else if risk != nil {
            throw SpecError(
                field: "risk", reason: "risk limits guard a live job's orders; this is a \(mode.rawValue) job")
        } else if onWorkerLost != nil {
            throw SpecError(
                field: "on_worker_lost", reason: "what to do with a live job's orders; this is a \(mode.rawValue) job")
        }
        if let (field, reason) = risk?.problem() { throw SpecError(field: field, reason: reason) }
        if let market {
            guard mode != .backtest else {
                throw SpecError(
                    field: "market", reason: "a backtest reads a data file; a live market is for paper and live jobs")
            }
            if let (field, reason) = market.problem() { throw SpecError(field: field, reason: reason) }
        } else if let set = data.set {
            guard data.path.isEmpty else {
                throw SpecError(field: "data.path", reason: "give a data set or a path, not both")
            }
            guard set.hasPrefix("xxh3:") || DataSource.setNameProblem(set) == nil else {
                throw SpecError(field: "data.set", reason: DataSource.setNameProblem(set) ?? "")
            }
        } else {
            guard !data.path.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw SpecError(field: "data.path", reason: "is required (or data.set: a registered data set)")
            }
            if let problem = DataSource.confinementProblem(data.path) {
                throw SpecError(field: "data.path", reason: problem)
            }
        }
        guard checkpointEvery >= 1_000 else {
            throw SpecError(field: "checkpoint_every", reason: "must be at least 1000 bars, got \(checkpointEvery)")
        }
        guard paperPaceMs >= 0 else {
            throw SpecError(field: "paper_pace_ms", reason: "must not be negative")
        }
        return try registry.resolve(run)
    }

    /// The spec with typed, complete configurations (see ``Registry/normalized(_:)``).
    public func normalized(with registry: Registry) throws(SpecError) -> JobSpec {
        try validate(with: registry)
        var out = self
        out.run = try registry.normalized(run)
        return out
    }

    /// Checks a new job's name beyond ``validate(with:)``: a name that is all digits would read as
    /// a job id (existing jobs named so keep working; ``validate(with:)`` runs on workers too).
    public func validateNewName() throws(SpecError) {
        guard !name.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw SpecError(field: "name", reason: "must not be all digits: it would read as a job id, got \"\(name)\"")
        }
    }

    static func isValidName(_ s: String) -> Bool {
        (1...100).contains(s.count)
            && s.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "._-".unicodeScalars.contains($0)
            }
    }
}
