/// What a coordinator announces in its ``Welcome`` that earlier releases did not do: a worker
/// sends a newer form only to a coordinator that announced it (during a rolling upgrade, or
/// after a failover to a standby of another release).
public enum CoordinatorCapability {
    /// Stores checkpoints whose state is compressed (``CheckpointCompression``), and inflates
    /// such state again for a worker that does not announce it reads it.
    public static let compressedCheckpoints = CheckpointCompression.capability

    /// Every capability of this release.
    public static let all = [compressedCheckpoints]
}
