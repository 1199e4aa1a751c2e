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

    /// Sets the per-job gauges for the active jobs given, and removes those of jobs no longer
    /// active.
    func updateJobs(_ active: [(id: Int64, name: String, equity: Double)]) {
        let ids = Set(active.map(\.id))
        let gone = gauged.withLock { g -> [(Int64, String)] in
            let gone = g.filter { !ids.contains($0.key) }.map { ($0.key, $0.value) }
            for (id, _) in gone { g[id] = nil }
            for job in active { g[job.id] = job.name }
            return gone
        }
        for (_, name) in gone {
            Gauge(label: "ats_job_equity", dimensions: [("job", name)]).destroy()
            Gauge(label: "ats_job_drawdown", dimensions: [("job", name)]).destroy()
        }
        // Peaks of jobs that ended, scraped or not, go too.
        peaks.withLock { p in p = p.filter { ids.contains($0.key) } }
        for job in active {
            let peak = peaks.withLock { p -> Double in
                let peak = max(p[job.id] ?? job.equity, job.equity)
                p[job.id] = peak
                return peak
            }
            Gauge(label: "ats_job_equity", dimensions: [("job", job.name)]).record(job.equity)
            Gauge(label: "ats_job_drawdown", dimensions: [("job", job.name)])
                .record(peak > 0 ? (peak - job.equity) / peak : 0)
        }
    }
}
