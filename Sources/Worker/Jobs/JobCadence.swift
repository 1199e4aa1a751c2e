import Synchronization

/// How often a worker's jobs report progress and checkpoint by time: as often as an operator
/// wants to watch while the worker runs a few, less often as it runs thousands, so that what the
/// coordinator and PostgreSQL write for a worker stays bounded however many jobs it holds: at most
/// `progressPerSecond` progress reports and `checkpointsPerSecond` time-based checkpoints a second
/// across its jobs (issue 18: a thousand paper jobs on 1-second bars used to write the jobs table a
/// thousand times a second). A job still reports and checkpoints at every stop, release and end,
/// and a live job checkpoints before every order whatever the cadence.
final class JobCadence: Sendable {
    let progressPerSecond: Int
    let checkpointsPerSecond: Int
    /// The intervals while the worker runs few jobs.
    static let fastestProgress: Duration = .milliseconds(250)
    static let fastestCheckpoint: Duration = .seconds(10)
    /// The intervals never grow past these: a dashboard stays this fresh, a failover rewinds at
    /// most this much of a paced run.
    static let slowestProgress: Duration = .seconds(30)
    static let slowestCheckpoint: Duration = .seconds(300)
    private let running = Atomic<Int>(0)

    init(progressPerSecond: Int = 50, checkpointsPerSecond: Int = 10) {
        self.progressPerSecond = max(1, progressPerSecond)
        self.checkpointsPerSecond = max(1, checkpointsPerSecond)
    }

    /// A job started (its runner counts in the cadence until ``ended()``).
    func started() { running.add(1, ordering: .relaxed) }
    func ended() { running.subtract(1, ordering: .relaxed) }
    var jobs: Int { running.load(ordering: .relaxed) }

    /// The time between two progress reports of one job.
    var progressInterval: Duration {
        Self.interval(jobs, perSecond: progressPerSecond, Self.fastestProgress, Self.slowestProgress)
    }

    /// The wall-clock time between two time-based checkpoints of one paced job.
    var checkpointInterval: Duration {
        Self.interval(jobs, perSecond: checkpointsPerSecond, Self.fastestCheckpoint, Self.slowestCheckpoint)
    }

    /// How much earlier than its start a job counts its last time-based checkpoint: a fraction of
    /// the interval fixed by its id, so the jobs a worker took at once (or whose bars fall on the
    /// same ticks) spread their checkpoints over the interval instead of writing them together.
    func phase(of job: Int64) -> Duration {
        checkpointInterval * (Double(UInt64(bitPattern: job) % 997) / 997)
    }

    /// `jobs / perSecond` seconds, within `[fastest, slowest]`.
    static func interval(_ jobs: Int, perSecond: Int, _ fastest: Duration, _ slowest: Duration) -> Duration {
        let spread = Duration.milliseconds(Int64(max(jobs, 1)) * 1000 / Int64(perSecond))
        return min(max(spread, fastest), slowest)
    }
}
