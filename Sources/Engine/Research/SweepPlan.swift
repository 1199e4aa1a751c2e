import Foundation

/// Which trials a sweep runs: its parameter space, the condition on it, and how points are chosen
/// (docs/SWEEPS.md). A trial is named by its **candidate** index — a grid point's index, or a
/// random draw's number — and is a pure function of the plan and that index, so any worker can run
/// any range of candidates and nothing is stored before a trial runs. A candidate the condition
/// refuses is not a trial (never run, never counted). Written and read as text, as a user gives it:
/// `params: ["fast=int:5..50:5"]`, `where: "fast < slow"`.
///
/// Bayesian search (`tpe`) names trials by number: trial *t*'s parameters are asked of a
/// ``TreeParzenEstimator`` built from every trial of the batches before its own (``inFlight``
/// trials a batch), so they are stored with its chunk when the batch is asked, not recomputed.
public struct SweepPlan: Sendable, Hashable, Codable {
    public enum Search: String, Sendable, Hashable, Codable, CaseIterable { case grid, random, tpe }

    /// The searched parameters as given (`name=kind:range`), in order.
    public let params: [String]
    /// The condition as given (nil: every point is a trial).
    public let condition: String?
    public let search: Search
    /// Random search: the trials wanted (draws the condition accepts). A grid's are its points.
    public let trials: Int
    public let seed: UInt64
    /// Bayesian search: the trials asked together, each batch from the finished trials of the
    /// batches before it (more runs at once, each asked with less known).
    public let inFlight: Int
    public let space: ParameterSpace
    public let constraint: ParameterConstraint?

    /// The most trials one sweep runs.
    public static let maximumTrials = 10_000_000
    /// The most trials a Bayesian search runs (each ask reads every trial before it).
    public static let maximumTPETrials = 10_000
    /// Random search gives up when the condition accepts fewer than one draw in this many.
    static let drawsPerTrial = 1_000

    public init(
        params: [String], condition: String?, search: Search, trials: Int, seed: UInt64, inFlight: Int = 32
    ) throws(SpecError) {
        let space = try ParameterSpace(parsing: params)
        let condition = condition.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        constraint = try condition.map { (c) throws(SpecError) in try space.constraint(c) }
        self.space = space
        switch search {
        case .grid:
            guard let count = space.gridCount else {
                if space.dimensions.contains(where: { $0.range.gridCount == nil }) {
                    throw SpecError(field: "search", reason: "a grid needs a step on every float (or random search)")
                }
                throw SpecError(field: "search", reason: "too many grid points (at most 10,000,000)")
            }
            guard count <= Self.maximumTrials else {
                throw SpecError(field: "search", reason: "\(count) grid points (at most 10,000,000)")
            }
        case .random:
            guard (1...Self.maximumTrials).contains(trials) else {
                throw SpecError(field: "trials", reason: "1 to 10,000,000, got \(trials)")
            }
        case .tpe:
            guard (1...Self.maximumTPETrials).contains(trials) else {
                throw SpecError(field: "trials", reason: "1 to 10,000 with tpe, got \(trials)")
            }
            guard (1...1_000).contains(inFlight) else {
                throw SpecError(field: "in_flight", reason: "1 to 1,000, got \(inFlight)")
            }
        }
        self.inFlight = inFlight
        self.params = params
        self.condition = condition
        self.search = search
        self.trials = trials
        self.seed = seed
    }

    /// Candidate `index`'s parameters, or nil when the condition refuses it (Bayesian search:
    /// always nil, a trial's parameters are asked, ``asks(_:after:objective:)``).
    public func point(_ index: Int) -> [String: ParameterValue]? {
        let p: [String: ParameterValue]
        switch search {
        case .grid: p = space.gridPoint(index)
        case .random: p = space.randomPoint(seed: seed, draw: index)
        case .tpe: return nil
        }
        return constraint?.accepts(p) ?? true ? p : nil
    }

    /// Where candidates end: a grid's points, or (random) the draws tried before giving up — a
    /// thousand a trial, at most ``maximumDraws``.
    public var candidateLimit: Int {
        switch search {
        case .grid: space.gridCount!
        case .random: min(trials * Self.drawsPerTrial, max(trials, Self.maximumDraws))
        case .tpe: trials
        }
    }

    /// The most random draws a sweep scans for its trials (seconds of one core's work).
    static let maximumDraws = 100_000_000

    /// A range of consecutive candidates and how many of them are trials.
    public struct Chunk: Sendable, Hashable, Codable {
        public var first: Int
        public var end: Int
        public var trials: Int

        public init(first: Int, end: Int, trials: Int) {
            self.first = first
            self.end = end
            self.trials = trials
        }
    }

    /// The sweep cut into chunks of `trialsPerChunk` trials each (the last may hold fewer), in
    /// candidate order, and the number of trials in all. A condition that accepts no grid point,
    /// or (random) fewer than one draw in a thousand, is an error naming it.
    /// Bayesian search: trials `0..<trials` in chunks that never cross a batch (``inFlight``),
    /// the first batch's drawn here so that a condition accepting almost nothing is refused now.
    /// `tail` > 0 cuts the last chunks smaller (``tapered(_:size:slots:pilots:)``; not a Bayesian
    /// search's, whose batches are each cut for the workers already).
    public func chunks(trialsPerChunk: Int, tail: Int = 0) throws(SpecError) -> (chunks: [Chunk], trials: Int) {
        let size = max(1, trialsPerChunk)
        if search == .tpe {
            let asker = TreeParzenEstimator(space: space, constraint: constraint, seed: seed, observations: [])
            guard asker.ask(0) != nil else {
                throw SpecError(field: "where", reason: "\(condition ?? "") accepts almost no point")
            }
            var out: [Chunk] = []
            for batch in stride(from: 0, to: trials, by: inFlight) {
                let end = min(trials, batch + inFlight)
                for first in stride(from: batch, to: end, by: size) {
                    out.append(Chunk(first: first, end: min(end, first + size), trials: min(end, first + size) - first))
                }
            }
            return (out, trials)
        }
        let cut = try chunks(trialsPerChunk: size, pilots: EarlyStop.Pilots(perMillion: 0), tail: tail)
        return (cut.chunks, cut.trials)
    }

    /// Early stopping: which candidates are pilots (about `earlyStop.pilots` of a grid's points,
    /// or of random search's trials).
    public func pilots(_ earlyStop: EarlyStop) -> EarlyStop.Pilots {
        earlyStop.pilots(candidates: search == .grid ? space.gridCount ?? trials : trials)
    }

    /// The sweep cut for early stopping: its pilots (the candidates `pilots` holds that the
    /// condition accepts, run whole first), and the other trials in chunks of `trialsPerChunk`
    /// that skip them; `trials` counts both. `tail` > 0 cuts the last chunks smaller
    /// (``tapered(_:size:slots:pilots:)``).
    public func chunks(trialsPerChunk: Int, pilots chosen: EarlyStop.Pilots, tail: Int = 0) throws(SpecError) -> (
        pilots: [Int], chunks: [Chunk], trials: Int
    ) {
        let size = max(1, trialsPerChunk)
        var pilots: [Int] = []
        var out: [Chunk] = []
        var (first, inChunk, total, candidate) = (0, 0, 0, 0)
        let limit = candidateLimit
        while candidate < limit && (search == .grid || total < trials) {
            if point(candidate) != nil {
                total += 1
                if chosen.contains(candidate) {
                    pilots.append(candidate)
                } else {
                    inChunk += 1
                    if inChunk == size {
                        out.append(Chunk(first: first, end: candidate + 1, trials: inChunk))
                        first = candidate + 1
                        inChunk = 0
                    }
                }
            }
            candidate += 1
        }
        if inChunk > 0 { out.append(Chunk(first: first, end: candidate, trials: inChunk)) }
        guard total > 0 else { throw SpecError(field: "where", reason: "no point satisfies \(condition ?? "")") }
        guard search == .grid || total == trials else {
            throw SpecError(
                field: "where", reason: "\(condition ?? "") accepts almost no point (\(total) in \(candidate) draws)")
        }
        return (pilots, tail > 0 ? tapered(out, size: size, slots: tail, pilots: chosen) : out, total)
    }

    /// Chunks of `size` trials with their last ones cut again, smaller toward the end, so that a
    /// sweep's last round is short: once fewer than `slots × size` trials are left, a chunk holds
    /// about the trials left over `slots` (the workers' slots expected to run the sweep), never
    /// more than `size` and never fewer than a quarter of it. A uniform cut leaves most slots idle
    /// while the last chunks run (36 chunks over 8 slots: five rounds, the last with four busy);
    /// tapered, the slots finish within about a small chunk of each other. The trials, their order
    /// and the candidates covered are the same; the cut adds at most `4 × slots + 1` chunks.
    func tapered(_ chunks: [Chunk], size: Int, slots: Int, pilots chosen: EarlyStop.Pilots) -> [Chunk] {
        let least = max(1, size / 4 + (size % 4 > 0 ? 1 : 0))
        guard least < size, let last = chunks.last else { return chunks }
        // The chunks from which at most slots × size trials are left.
        let tailTrials = slots > Int.max / size ? Int.max : slots * size
        var (start, left) = (chunks.count, 0)
        while start > 0 && left + chunks[start - 1].trials <= tailTrials {
            start -= 1
            left += chunks[start].trials
        }
        guard start < chunks.count else { return chunks }
        var out = Array(chunks[..<start])
        var (first, inChunk) = (chunks[start].first, 0)
        // ⌈left / slots⌉ within [least, size].
        let share = { (left: Int) in min(size, max(least, left / slots + (left % slots > 0 ? 1 : 0))) }
        var want = share(left)
        for candidate in chunks[start].first..<last.end where !chosen.contains(candidate) && point(candidate) != nil {
            inChunk += 1
            guard inChunk == want else { continue }
            out.append(Chunk(first: first, end: candidate + 1, trials: inChunk))
            left -= inChunk
            (first, inChunk) = (candidate + 1, 0)
            want = share(left)
        }
        if inChunk > 0 { out.append(Chunk(first: first, end: last.end, trials: inChunk)) }
        out[out.count - 1].end = last.end
        return out
    }

    /// The trials among candidates `range`, in order: each candidate's index and parameters.
    public func trials(in range: Range<Int>) -> [(index: Int, parameters: [String: ParameterValue])] {
        range.compactMap { i in point(i).map { (i, $0) } }
    }

    enum CodingKeys: String, CodingKey {
        case params, search, trials, seed
        case condition = "where"
        case inFlight = "in_flight"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            params: c.decode([String].self, forKey: .params),
            condition: c.decodeIfPresent(String.self, forKey: .condition),
            search: c.decodeIfPresent(Search.self, forKey: .search) ?? .grid,
            trials: c.decodeIfPresent(Int.self, forKey: .trials) ?? 100,
            seed: c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 42,
            inFlight: c.decodeIfPresent(Int.self, forKey: .inFlight) ?? 32)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(params, forKey: .params)
        try c.encodeIfPresent(condition, forKey: .condition)
        try c.encode(search, forKey: .search)
        try c.encode(trials, forKey: .trials)
        try c.encode(seed, forKey: .seed)
        if search == .tpe { try c.encode(inFlight, forKey: .inFlight) }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.params == b.params && a.condition == b.condition && a.search == b.search && a.trials == b.trials
            && a.seed == b.seed && a.inFlight == b.inFlight
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(params)
        hasher.combine(condition)
        hasher.combine(search)
        hasher.combine(trials)
        hasher.combine(seed)
        hasher.combine(inFlight)
    }
}
