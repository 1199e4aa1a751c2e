import Foundation
import Logging
import ServiceLifecycle

/// Keeps what jobs on live markets saw within its retention (`ATS_RECORDING_RETENTION_DAYS`): on
/// the leader, a minute after the coordinator starts and then every `interval`, the recorded
/// candles older than the retention are deleted a batch at a time. A job whose span reaches back
/// further shows those candles as missing in its divergence report.
struct RecordingRetention: Sendable {
    let store: JobStore
    let leadership: Leadership
    let retention: Duration
    var firstAfter: Duration = .seconds(60)
    var interval: Duration = .seconds(3_600)
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            var wait = firstAfter
            while !Task.isCancelled {
                guard (try? await Task.sleep(for: wait)) != nil else { return }
                wait = interval
                guard leadership.isLeader else { continue }
                await prune(now: Date())
            }
        }
    }

    func prune(now: Date) async {
        let cutoff = Int64((now.timeIntervalSince1970 - retention / .seconds(1)) * 1_000)
        do {
            let deleted = try await store.pruneRecording(before: cutoff)
            guard deleted > 0 else { return }
            logger.info(
                "recorded candles past their retention deleted",
                metadata: ["rows": "\(deleted)", "opened_before_ms": "\(cutoff)", "retention": "\(retention)"])
        } catch {
            logger.warning("could not prune the recorded candles", metadata: ["error": "\(error)"])
        }
    }
}
