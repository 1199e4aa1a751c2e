import ATSShared

extension Scheduler {
    /// Why each pending job can run on none of the workers connected now (draining ones not
    /// counted), in words for an operator: the labels no such worker has, a capability named as
    /// what the worker's release lacks. A job some worker could run, when a slot frees, is not
    /// listed: it is only waiting its turn.
    public static func waitingReasons(pending: [PendingJob], workers: [WorkerSlot]) -> [Int64: String] {
        var out: [Int64: String] = [:]
        for job in pending where !workers.contains(where: { w in job.labels.allSatisfy(w.labels.contains) }) {
            out[job.id] = reason(job.labels, workers: workers)
        }
        return out
    }

    static func reason(_ labels: [String], workers: [WorkerSlot]) -> String {
        guard !workers.isEmpty else { return "no worker is connected (draining ones take no job)" }
        // The labels the closest workers lack (those that have most of the job's labels).
        let best = workers.map { w in labels.filter { !w.labels.contains($0) } }.min { $0.count < $1.count } ?? labels
        let prefix = WorkerCapability.label("")
        let capabilities = best.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        let plain = best.filter { !$0.hasPrefix(prefix) }
        var parts: [String] = []
        if !plain.isEmpty {
            parts.append("the label\(plain.count > 1 ? "s" : "") \(plain.sorted().joined(separator: ", "))")
        }
        if !capabilities.isEmpty {
            parts.append(
                "the capabilit\(capabilities.count > 1 ? "ies" : "y") \(capabilities.sorted().joined(separator: ", "))"
                    + " (workers of an earlier release lack it: upgrade them)")
        }
        return "no connected worker has " + parts.joined(separator: " and ")
    }
}
