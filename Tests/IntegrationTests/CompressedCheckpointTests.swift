import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// A checkpoint's compressed state through a real coordinator and PostgreSQL: stored as the
/// worker sent it (its plain size beside it), handed back compressed to a worker that reads that
/// form, and inflated for one of an earlier release (whose hello does not announce it) — so a
/// rolling upgrade never gives a worker a checkpoint it cannot resume.
@Suite(.serialized)
struct CompressedCheckpointTests {
    static let plain = Array(String(repeating: "{\"recent\":[{\"averagePrice\":1.5,\"id\":7}]}", count: 50).utf8)

    /// `body` while `peer` heartbeats every 300 ms, as a worker does: a silent peer is closed
    /// once the idle timeout (the 3 s lease) passes, and these wait on the coordinator about as
    /// long (a reassignment for the previous worker's lease to lapse, an ack for a commit).
    static func heartbeating<T: Sendable>(_ peer: HandPeer, _ body: () async throws -> T) async throws -> T {
        let beats = Task {
            while !Task.isCancelled {
                peer.send(.heartbeat(Heartbeat(sentAtMs: Int64(Date().timeIntervalSince1970 * 1000), runningJobs: 0)))
                try? await Task.sleep(for: .milliseconds(300))
            }
        }
        do {
            let result = try await body()
            beats.cancel()
            await beats.value
            return result
        } catch {
            beats.cancel()
            await beats.value
            throw error
        }
    }

    /// The next assignment the coordinator sends this peer (other frames skipped).
    static func assignment(_ peer: HandPeer) async throws -> AssignJob {
        while let message = try await peer.receive() {
            if case .assign(let a) = message { return a }
        }
        throw TestEnvironmentError("the coordinator closed the connection or sent no assignment")
    }

    /// A hand-driven worker: hello with `capabilities`, the coordinator's Welcome back.
    static func connect(_ cluster: TestCluster, _ id: String, capabilities: [String]) async throws -> (
        HandPeer, Welcome
    ) {
        let peer = try await HandPeer(port: cluster.workerPort, receiveTimeout: 30)
        peer.send(.hello(peer.hello(id, capabilities: capabilities)))
        guard case .welcome(let welcome) = try await peer.receive() else {
            throw TestEnvironmentError("\(id) was not welcomed")
        }
        return (peer, welcome)
    }

    /// A compressed checkpoint that does not inflate (damaged in the database here) fails the
    /// job on a real worker, saying why, instead of resuming from something else.
    @Test func aCheckpointThatDoesNotInflateFailsTheJobSayingWhy() async throws {
        var damaged = CheckpointCompression.compress(Self.plain)
        damaged[damaged.count / 2] ^= 0x40
        let spec = TestData.spec(
            "damaged", data: TestData.file(bars: 1_000, seed: 5), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)])
        try await TestCluster.with { cluster in
            let job = try await cluster.create(spec)  // no worker yet: it waits
            let hex = damaged.map { String(format: "%02x", $0) }.joined()
            try await cluster.database.execute(
                """
                INSERT INTO checkpoints (job_id, cursor, epoch, next_fill_seq, state)
                VALUES (\(job.id), 500, 0, 0, '\\x\(hex)'::bytea)
                """)
            try cluster.startWorker("w1")
            let done = try await cluster.waitForJobs(["damaged"], timeout: .seconds(60))
            #expect(done.first?.status == .failed)
            let error = done.first?.lastError ?? ""
            #expect(
                error.contains("the checkpoint's compressed state is unreadable: its zlib stream does not inflate"),
                "\(error)")
            #expect(try await cluster.fills("damaged").isEmpty, "nothing ran")
        }
    }

    @Test func storedAsSentAndInflatedOnlyForAWorkerThatCannotReadIt() async throws {
        let packed = CheckpointCompression.compress(Self.plain)
        try #require(CheckpointCompression.isCompressed(packed))
        let spec = TestData.spec(
            "packed", data: TestData.file(bars: 1_000, seed: 5), strategy: "sma_cross",
            ["fast": .int(3), "slow": .int(9)])
        try await TestCluster.with { cluster in
            _ = try await cluster.create(spec)
            let first: AssignJob
            do {
                // A worker of this release, told the coordinator stores compressed state.
                let (peer, welcome) = try await Self.connect(
                    cluster, "reads-packed", capabilities: WorkerCapability.all)
                #expect(welcome.capabilities.contains(CoordinatorCapability.compressedCheckpoints))
                first = try await Self.heartbeating(peer) {
                    let assigned = try await Self.assignment(peer)
                    peer.send(
                        .checkpoint(
                            CheckpointSaved(
                                header: JobHeader(jobId: assigned.jobId, epoch: assigned.epoch, messageSeq: 1),
                                cursor: 500, nextFillSeq: 0, state: packed)))
                    var acked = false
                    while !acked, let message = try await peer.receive() {
                        if case .ack(let ack) = message, ack.messageSeq >= 1 { acked = true }
                    }
                    #expect(acked, "the checkpoint was stored")
                    return assigned
                }
                #expect(first.checkpoint.isEmpty)
                let stored = try JSONCoding.decoder().decode(
                    [CheckpointRecord].self, from: try await cluster.request("GET", "api/jobs/packed/checkpoints").body)
                #expect(stored.map(\.cursor) == [500])
                #expect(stored.map(\.bytes) == [packed.count], "stored as sent")
                #expect(stored.map(\.plainBytes) == [Self.plain.count])
            }  // the connection closes: the job is assigned again once its lease lapses

            let older: AssignJob
            do {
                // A worker of an earlier release announces no such capability.
                let (peer, _) = try await Self.connect(
                    cluster, "earlier-release", capabilities: [WorkerCapability.datasets])
                older = try await Self.heartbeating(peer) { try await Self.assignment(peer) }
            }
            #expect(older.epoch == first.epoch + 1)
            #expect(older.checkpoint == Self.plain, "inflated for a worker that cannot read it")

            let (peer, _) = try await Self.connect(cluster, "reads-packed-too", capabilities: WorkerCapability.all)
            let again = try await Self.heartbeating(peer) { try await Self.assignment(peer) }
            #expect(again.epoch == older.epoch + 1)
            #expect(again.checkpoint == packed, "as stored, for a worker that reads it")
        }
    }
}
