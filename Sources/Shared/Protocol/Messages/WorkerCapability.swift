/// What a worker's release can run beyond the protocol's base, announced in its ``Hello``: a job
/// that needs a capability is scheduled only on workers that announce it (a worker from before
/// it would fail the job), as if the job carried the label ``label(_:)``.
public enum WorkerCapability {
    /// Jobs whose data is a registered data set (`data: {set: …}`), fetched by the worker.
    public static let datasets = "datasets"
    /// A sweep's chunks (`JobSpec.sweep`), completed with their trials' records.
    public static let sweeps = "sweeps"
    /// A sweep's chunks of the kinds session 12 added: asked trials (Bayesian search,
    /// `SweepChunkSpec.points`), early stopping's pilots (`indices`) and held trials (`stop`). A
    /// worker of an older release would fail them during a rolling upgrade.
    public static let sweeps2 = "sweeps-2"
    /// Holds a sweep's next chunk while it runs the current one (``WorkerLoad``): given one chunk
    /// more per slot, it waits on the worker for a slot, under its lease like any job.
    public static let chunksAhead = "chunks-ahead"

    /// Jobs whose strategy runs a trained model (`strategy.config.hash`), fetched by the worker.
    public static let models = "models"
    /// Jobs whose strategy sets `liquidate_share` (``Liquidation``), a parameter earlier releases
    /// refuse as unknown.
    public static let liquidation = "liquidation"
    /// Reads an assignment's checkpoint whose state is compressed (``CheckpointCompression``);
    /// a worker without it is handed the state inflated.
    public static let compressedCheckpoints = CheckpointCompression.capability

    /// Every capability of this release.
    public static let all = [datasets, sweeps, sweeps2, chunksAhead, models, liquidation, compressedCheckpoints]

    /// The scheduling label a capability stands for (`ats:` is the scheduler's own prefix).
    public static func label(_ capability: String) -> String { "ats:" + capability }
}
