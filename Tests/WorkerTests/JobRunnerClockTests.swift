import ATSEngine
import ATSShared
import Foundation
import Logging
import NIOPosix
import Synchronization
import Testing

@testable import ATSWorker

/// A clock that moves only when a job sleeps on it: a paced job's half minute takes milliseconds.
final class ManualClock: JobClock {
    private let time = Mutex(Duration.zero)

    var elapsed: Duration { time.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        time.withLock { $0 += duration }
        await Task.yield()
    }
}

/// The job runner under an injected clock: a paper job checkpoints by the time on its clock (not
/// only by bars), and stops itself, with a last checkpoint and a release, once its lease lapses.
struct JobRunnerClockTests {
    @Test func aPacedJobCheckpointsEveryTenSecondsAndStopsWhenItsLeaseLapses() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try BarCSVWriter.csv(SyntheticBars(seed: 3).generate(count: 100)).write(
            to: dir.appendingPathComponent("bars.csv"), atomically: true, encoding: .utf8)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let clock = ManualClock()
        let lease = LeaseGuard(time: clock)
        // Confirmed at 0 for a 30.5 s lease with a 0.5 s margin: held until 30 s on this clock.
        lease.confirm(sentMs: 0, leaseTimeoutMs: 30_500, marginMs: 500)
        let spec = """
            {"name": "clock", "mode": "paper", "data": {"path": "bars.csv"},
             "exchange": {"namespace": "exchanges:simulated", "symbol": {"base": "BTC", "quote": "USDT"}},
             "strategy": {"namespace": "strategies:sma_cross", "config": {"fast": 3, "slow": 9}},
             "checkpoint_every": 1000000, "paper_pace_ms": 1000}
            """
        let outbox = Outbox(limit: 100_000)
        let (stream, sink) = AsyncStream.makeStream(of: WireMessage.self)
        await outbox.attach(sink)
        let runner = JobRunner(
            assignment: AssignJob(jobId: 1, epoch: 1, name: "clock", spec: Array(spec.utf8), checkpoint: []),
            control: JobControl(jobId: 1, epoch: 1), lease: lease, generation: lease.generation, outbox: outbox,
            cache: BarCache(
                pool: pool, root: try DataRoot(dir.path),
                datasets: try DatasetCache(
                    directory: dir.path + "/.ats-datasets", limitBytes: 1 << 30, sources: [], workerId: "test",
                    secret: "0123456789abcdef", logger: Logger(label: "test")), limitBytes: 1 << 30), pool: pool,
            registry: .standard, fillBatchSize: 100, metrics: WorkerMetrics(), logger: Logger(label: "test"))
        await runner.run()
        sink.finish()
        var messages: [WireMessage] = []
        for await m in stream { messages.append(m) }
        try await pool.shutdownGracefully()

        let failure = messages.compactMap { if case .failed(let f) = $0 { f.error } else { nil } }
        #expect(failure.isEmpty, "\(failure)")
        // One bar a second: by time at 10 s (bar 11) and 20 s (bar 21), then the release's at
        // the lapse (30 s: bars 0–29 ran, the one due at 30 s did not).
        let cursors = messages.compactMap { if case .checkpoint(let c) = $0 { c.cursor } else { nil } }
        #expect(cursors == [11, 21, 30])
        // Sent compressed, each inflating to the engine's JSON.
        for case .checkpoint(let c) in messages {
            #expect(CheckpointCompression.isCompressed(c.state))
            #expect(try CheckpointCompression.inflate(c.state).first == UInt8(ascii: "{"))
        }
        guard case .finished(let end)? = messages.last else {
            Issue.record("the job did not end with a release: \(messages.map(\.name))")
            return
        }
        #expect(end.outcome == .released)
        #expect(clock.elapsed == .seconds(30), "stopped when the lease lapsed, not a bar later")
    }
}
