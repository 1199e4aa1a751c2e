/// What a worker's release can run beyond the protocol's base, announced in its ``Hello``: a job
/// that needs a capability is scheduled only on workers that announce it (a worker from before
/// it would fail the job), as if the job carried the label ``label(_:)``.
public enum WorkerCapability {
    /// Jobs whose data is a registered data set (`data: {set: …}`), fetched by the worker.
    public static let datasets = "datasets"

    /// Every capability of this release.
    public static let all = [datasets]

    /// The scheduling label a capability stands for (`ats:` is the scheduler's own prefix).
    public static func label(_ capability: String) -> String { "ats:" + capability }
}
