import CoreMetrics

/// What the worker counts (swift-metrics; the daemon exports them in the Prometheus format on
/// its own port). Gauges of state (jobs, outbox, connection) are set when scraped.
struct WorkerMetrics: Sendable {
    let connections = Counter(label: "ats_worker_connections_total")
    let leaseRenewals = Counter(label: "ats_worker_lease_renewals_total")
    let selfFences = Counter(label: "ats_worker_self_fences_total")
    let fills = Counter(label: "ats_worker_fills_total")
    let bars = Counter(label: "ats_worker_bars_total")
    let messages = Counter(label: "ats_worker_messages_total")
    let jobsStarted = Counter(label: "ats_worker_jobs_started_total")
    let jobsFailed = Counter(label: "ats_worker_jobs_failed_total")

    /// The jobs held: running, and a sweep's chunks held ahead (``chunksWaiting`` of them).
    let jobsRunning = Gauge(label: "ats_worker_jobs_running")
    let chunksWaiting = Gauge(label: "ats_worker_chunks_waiting")
    let outboxDepth = Gauge(label: "ats_worker_outbox_depth")
    let outboxLimit = Gauge(label: "ats_worker_outbox_limit")
    let connected = Gauge(label: "ats_worker_connected")
    let draining = Gauge(label: "ats_worker_draining")
    let capacity = Gauge(label: "ats_worker_capacity")

    func finished(_ outcome: String) {
        Counter(label: "ats_worker_jobs_finished_total", dimensions: [("outcome", outcome)]).increment()
    }
}
