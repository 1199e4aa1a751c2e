import ATSEngine
import ATSShared
import Foundation

/// What a running job sends its coordinator through the outbox, each message under the job's
/// lease (id and epoch) and its own sequence number: fills in batches under the revision that
/// made them, checkpoints no larger than a frame can carry.
struct JobOutput: Sendable {
    let jobId: Int64
    let epoch: Int64
    let outbox: Outbox
    let metrics: WorkerMetrics
    let fillBatchSize: Int

    func send(_ make: @escaping @Sendable (JobHeader) -> WireMessage) async {
        let jobId = self.jobId
        let epoch = self.epoch
        metrics.messages.increment()
        await outbox.append { seq in make(JobHeader(jobId: jobId, epoch: epoch, messageSeq: seq)) }
    }

    /// Sends the fills not sent yet, in batches of at most `fillBatchSize`, under the revision
    /// they were made under.
    func flush(_ fills: inout [Fill], revision: Int64) async {
        var start = 0
        while start < fills.count {
            let batch = Array(fills[start..<min(fills.count, start + fillBatchSize)])
            await send { .fills(FillBatch(header: $0, fills: batch, specRevision: revision)) }
            start += fillBatchSize
        }
        fills.removeAll(keepingCapacity: true)
    }

    /// A checkpoint of `state` at `cursor`, compressed (``CheckpointCompression``; the outbox
    /// inflates it again for a coordinator that does not store that form). A frame the coordinator
    /// would refuse would be resent after every reconnect and wedge the connection: the job
    /// fails instead, saying why (the plain size counts: an older coordinator or worker may be
    /// handed it inflated).
    func checkpoint(
        state: Data, cursor: Int, nextFillSeq: Int64, revision: Int64, dataHash: String, serial: Int64 = 0
    ) async throws {
        guard state.count <= WireProtocol.defaultMaximumFrameSize - 65_536 else {
            throw RunnerError(
                "the job's state is \(state.count) bytes, more than a checkpoint can carry "
                    + "(\(WireProtocol.defaultMaximumFrameSize - 65_536) bytes): the strategy keeps too much history")
        }
        let cursor = Int64(cursor)
        let state = CheckpointCompression.compress(Array(state))
        await send {
            .checkpoint(
                CheckpointSaved(
                    header: $0, cursor: cursor, nextFillSeq: nextFillSeq, state: state, specRevision: revision,
                    engineVersion: ReproducibilityStamp.engineVersion, dataHash: dataHash, serial: serial))
        }
    }

    /// A failure, its text bounded (it goes into a frame and a database row).
    func failed(_ error: any Error) async {
        var text = "\(error)"
        if text.utf8.count > Self.maximumErrorLength {
            text = String(decoding: text.utf8.prefix(Self.maximumErrorLength), as: UTF8.self) + "…"
        }
        metrics.jobsFailed.increment()
        let error = text
        await send { .failed(JobFailed(header: $0, error: error)) }
    }

    /// The longest error text sent to the coordinator.
    static let maximumErrorLength = 2_000
}
