import Metrics
import Synchronization

/// The coordinator's own metrics, through swift-metrics (the daemon bootstraps the Prometheus
/// backend; `GET /metrics` exports them). Counters are counted where things happen; the gauges
/// that describe state (jobs by status, workers, leadership, per-job equity and drawdown) are set
/// when /metrics is scraped (``MetricsEndpoint``).
public final class CoordinatorMetrics: Sendable {
    let framesReceived = Counter(label: "ats_frames_received_total")
    let fillsPersisted = Counter(label: "ats_fills_persisted_total")
    /// Batches with a fill that arrived again with other values (its job was failed).
    let fillsDiverged = Counter(label: "ats_fills_diverged_total")
    let leaseRenewals = Counter(label: "ats_lease_renewals_total")
    let leasesExpired = Counter(label: "ats_leases_expired_total")
    /// Every store transaction (each starts with the leader-term check), begin to commit.
    let transactionTime = Timer(label: "ats_postgres_transaction_seconds")
    /// The highest equity each active job reported, for its drawdown.
    private let peaks = Mutex<[Int64: Double]>([:])
    /// The jobs that have equity and drawdown gauges now.
    private let gauged = Mutex<[Int64: String]>([:])

    public init() {}

    /// A job reported its equity.
    func progress(job: Int64, equity: Double) {
        peaks.withLock { $0[job] = max($0[job] ?? equity, equity) }
    }

    /// Sets the per-job gauges for at most `limit` of the active jobs given, those deepest in
    /// drawdown (the ones to alert on), and removes those of the others; the deepest drawdown of
    /// all and the number of active jobs without series go in two gauges of their own. At 40,000
    /// jobs, series for every job made `/metrics` 4.3 MB and 44 s to serve.
    func updateJobs(_ active: [(id: Int64, name: String, equity: Double)], limit: Int) {
        let ids = Set(active.map(\.id))
        // Peaks of jobs that ended, scraped or not, go.
        let drawdowns = peaks.withLock { p -> [(id: Int64, name: String, equity: Double, drawdown: Double)] in
            p = p.filter { ids.contains($0.key) }
            return active.map { job in
                let peak = max(p[job.id] ?? job.equity, job.equity)
                p[job.id] = peak
                return (job.id, job.name, job.equity, peak > 0 ? (peak - job.equity) / peak : 0)
            }
        }
        let shown =
            drawdowns.count <= limit
            ? drawdowns : Array(drawdowns.sorted { ($0.drawdown, $1.id) > ($1.drawdown, $0.id) }.prefix(limit))
        let shownIds = Set(shown.map(\.id))
        let gone = gauged.withLock { g -> [(Int64, String)] in
            let gone = g.filter { !shownIds.contains($0.key) }.map { ($0.key, $0.value) }
            for (id, _) in gone { g[id] = nil }
            for job in shown { g[job.id] = job.name }
            return gone
        }
        for (_, name) in gone {
            Gauge(label: "ats_job_equity", dimensions: [("job", name)]).destroy()
            Gauge(label: "ats_job_drawdown", dimensions: [("job", name)]).destroy()
        }
        for job in shown {
            Gauge(label: "ats_job_equity", dimensions: [("job", job.name)]).record(job.equity)
            Gauge(label: "ats_job_drawdown", dimensions: [("job", job.name)]).record(job.drawdown)
        }
        Gauge(label: "ats_job_drawdown_max").record(drawdowns.map(\.drawdown).max() ?? 0)
        Gauge(label: "ats_jobs_without_series").record(drawdowns.count - shown.count)
    }
}
