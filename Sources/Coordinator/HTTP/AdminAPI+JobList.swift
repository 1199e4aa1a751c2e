import ATSShared
import HTTPTypes
import Hummingbird

extension AdminAPI {
    /// `GET /api/jobs`: a page of jobs, filtered by `status`, `label` and `q` (name contains),
    /// ordered by `sort` (`-name` for descending), `limit` (default 1,000, at most 10,000) from
    /// `offset`. `X-Total-Count` says how many match in all.
    func jobPage(_ request: Request) async throws -> EditedResponse<[JobRecord]> {
        let p = request.uri.queryParameters
        var q = JobQuery()
        if let s = p.get("status"), !s.isEmpty {
            guard let status = JobStatus(rawValue: s) else {
                throw APIError(.badRequest, code: "invalid_request", "unknown status \"\(s)\"", field: "status")
            }
            q.status = status
        }
        q.label = p.get("label").flatMap { $0.isEmpty ? nil : $0 }
        q.search = p.get("q").flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }
        if var sort = p.get("sort"), !sort.isEmpty {
            if sort.hasPrefix("-") {
                q.descending = true
                sort.removeFirst()
            }
            guard let key = JobQuery.Sort(rawValue: sort) else {
                let known = JobQuery.Sort.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError(
                    .badRequest, code: "invalid_request", "unknown sort key \"\(sort)\" (one of \(known))",
                    field: "sort")
            }
            q.sort = key
        }
        q.limit = min(max(p.get("limit", as: Int.self) ?? 1000, 1), 10_000)
        q.offset = max(p.get("offset", as: Int.self) ?? 0, 0)
        let (jobs, total) = try await store.jobs(q)
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Total-Count")!] = "\(total)"
        return EditedResponse(headers: headers, response: jobs.map(withWaiting))
    }

    /// A pending job with why it waits, when no connected worker can run it.
    func withWaiting(_ job: JobRecord) -> JobRecord {
        guard job.status == .pending else { return job }
        var out = job
        out.waitingFor = scheduler.waitingReason(job: job.id)
        return out
    }

    /// A sweep with why its pending chunks wait, when no connected worker can run them.
    func withWaiting(_ sweep: SweepRecord) -> SweepRecord {
        guard sweep.state == "running" else { return sweep }
        var out = sweep
        out.waitingFor = scheduler.waitingReason(sweep: sweep.id)
        return out
    }
}
