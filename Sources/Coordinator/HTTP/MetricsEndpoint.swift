import ATSShared
import Hummingbird
import Metrics
import Prometheus

/// `GET /metrics` in the Prometheus text format: the counters counted as things happen, and the
/// state gauges set now from the database and this coordinator's memory. Served by every
/// coordinator (a standby reports its own role), behind the admin token.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry
    let store: JobStore
    let hub: WorkerHub
    let leadership: Leadership
    let metrics: CoordinatorMetrics
    /// Active jobs with series of their own at most (`ATS_METRICS_JOB_SERIES`).
    var jobSeries = 1_000

    func scrape() async throws -> Response {
        let counts = try await store.jobCounts()
        for status in JobStatus.allCases {
            Gauge(label: "ats_jobs", dimensions: [("status", status.rawValue)]).record(counts[status] ?? 0)
        }
        Gauge(label: "ats_workers_connected").record(await hub.connectedCount)
        Gauge(label: "ats_leader").record(leadership.isLeader ? 1 : 0)
        Gauge(label: "ats_leader_term").record(leadership.term ?? leadership.knownLeader?.term ?? 0)
        metrics.updateJobs(try await store.activeEquities(), limit: jobSeries)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}
