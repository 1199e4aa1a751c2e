import ATSCoordinator
import ATSEngine
import ATSShared

/// What must hold after every event, and at the end of a run.
extension Simulation {
    /// Never two runs of a job that both believe they hold its lease.
    func checkSafety() {
        var owners: [Int64: [String]] = [:]
        for w in workers where w.alive {
            for l in w.jobs.keys where w.holdsLease(l) {
                owners[l.jobId, default: []].append("\(w.id) epoch \(l.epoch)")
            }
        }
        for (job, who) in owners where who.count > 1 {
            violation("job \(job) has two owners under valid leases: \(who.sorted().joined(separator: ", "))")
        }
    }

    /// The fills a run must store: a whole run of the job under its revisions, each from the bar
    /// where it took effect.
    func expected(_ job: Int64) -> [Int64: Fill] {
        let revisions = (store.revisions[job] ?? []).compactMap { r in
            r.effectiveBar.map { (r.revision, r.config, $0) }
        }
        return SimStrategy.expectedFills(jobId: job, bars: plans[job]!.bars, revisions: revisions)
    }

    /// Every stored fill is the one the strategy makes at that sequence number under the revisions
    /// as they took effect: stored once, with identical values.
    func checkFills() {
        for job in store.sortedJobIds {
            guard let stored = store.fills[job], !stored.isEmpty else { continue }
            let want = expected(job)
            for (seq, s) in stored.sorted(by: { $0.key < $1.key }) where want[seq] != s.fill {
                violation(
                    "job \(job) fill \(seq): stored bar \(s.fill.barIndex) qty \(s.fill.quantity) (revision "
                        + "\(s.revision), epoch \(s.epoch)); the run under its revisions makes "
                        + (want[seq].map { "bar \($0.barIndex) qty \($0.quantity)" } ?? "no such fill"))
                return
            }
        }
    }

    /// Once the faults are over and everything has settled: every job ended as its operator left
    /// it, a completed job stored every fill of its run, and nothing runs.
    func checkEnd() {
        checkFills()
        guard violations.isEmpty else { return }
        for job in store.sortedJobIds {
            let j = store.jobs[job]!
            let plan = plans[job]!
            let want: Set<JobStatus> =
                plan.failsAt != nil
                ? (j.desired == .running ? [.failed] : [.failed, .stopped])
                : (j.desired == .running ? [.completed] : [.stopped, .completed])
            guard want.contains(j.status) else {
                let holders = workers.filter { w in w.jobs.keys.contains { $0.jobId == job } }.map(\.id)
                violation(
                    "job \(job) ended \(j.status.rawValue) (wanted \(want.map(\.rawValue).sorted())): desired "
                        + "\(j.desired.rawValue), epoch \(j.epoch), lease owner \(j.leaseOwner ?? "none"), run by "
                        + "\(holders), error \(j.lastError ?? "none")")
                continue
            }
            if j.status == .completed {
                let stored = (store.fills[job] ?? [:]).mapValues(\.fill)
                let all = expected(job)
                if stored != all {
                    let missing = Set(all.keys).subtracting(stored.keys).sorted()
                    violation(
                        "job \(job) completed with \(stored.count) of \(all.count) fills; missing \(missing.prefix(10))"
                    )
                }
                let newest = store.revisions[job]!.max { $0.revision < $1.revision }!
                if newest.effectiveBar == nil, !store.revisions[job]!.contains(where: { $0.effectiveBar != nil }) {
                    violation("job \(job) completed and no revision of its definition ever took effect")
                }
            }
        }
        for w in workers where !w.jobs.isEmpty {
            violation("\(w.id) still runs \(w.jobs.keys.map { "\($0.jobId)/\($0.epoch)" }) after every job ended")
        }
    }
}
