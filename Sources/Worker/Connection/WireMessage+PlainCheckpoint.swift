import ATSShared

extension WireMessage {
    /// This message with a checkpoint's state inflated, for a coordinator that does not store
    /// compressed state (an earlier release); any other message as it is. A state this worker
    /// compressed always inflates: should one not, it goes as it is, and the worker that resumes
    /// it says why it cannot.
    var plainCheckpoint: WireMessage {
        guard case .checkpoint(var c) = self, CheckpointCompression.isCompressed(c.state),
            let plain = try? CheckpointCompression.inflate(c.state)
        else { return self }
        c.state = plain
        return .checkpoint(c)
    }
}
