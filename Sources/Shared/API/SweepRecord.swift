import Foundation

/// A sweep as the API lists it: its definition, its state, and how far its chunks are.
public struct SweepRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var name: String
    /// running, paused or cancelled as asked; completed once every chunk's results are in.
    public var state: String
    public var trials: Int64
    public var chunks: Int64
    /// Chunks whose results are stored, and the trials they hold.
    public var chunksDone: Int64
    public var trialsDone: Int64
    public var chunksRunning: Int64
    /// Chunks that failed (a worker's error, their reason on the chunk's job): `resume` runs them again.
    public var chunksFailed: Int64
    public var createdBy: String
    public var createdAt: Date
    public var finishedAt: Date?
    public var spec: SweepSpec?
    /// Why its pending chunks wait when no connected worker can run them (nil: they wait their
    /// turn, or none is pending). Set by the leader's scheduler.
    public var waitingFor: String?

    enum CodingKeys: String, CodingKey {
        case id, name, state, trials, chunks, spec
        case waitingFor = "waiting_for"
        case chunksDone = "chunks_done"
        case trialsDone = "trials_done"
        case chunksRunning = "chunks_running"
        case chunksFailed = "chunks_failed"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
    }

    public init(
        id: Int64, name: String, state: String, trials: Int64, chunks: Int64, chunksDone: Int64, trialsDone: Int64,
        chunksRunning: Int64, chunksFailed: Int64, createdBy: String, createdAt: Date, finishedAt: Date?,
        spec: SweepSpec?
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.trials = trials
        self.chunks = chunks
        self.chunksDone = chunksDone
        self.trialsDone = trialsDone
        self.chunksRunning = chunksRunning
        self.chunksFailed = chunksFailed
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.spec = spec
    }
}
