import ATSEngine
import ATSShared
import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Time from `job create` to the job running on a worker, against a running system
/// (`./start.sh --detach`): jobs are created one at a time; the coordinator's own timestamps
/// (created_at, started_at when the worker reported JobStarted) give the latency.
struct LatencyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency", abstract: "Job create → running latency percentiles.")

    @Option(help: "Admin API URL.") var url: String = "http://127.0.0.1:8080"
    @Option(help: "Jobs to create.") var jobs: Int = 200

    func run() async throws {
        let env = Environment()
        guard let token = env["ATS_ADMIN_TOKEN"] else { throw ValidationError("ATS_ADMIN_TOKEN is not set") }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("ats-latency-bars.csv").path
        _ = FileManager.default.createFile(
            atPath: data, contents: Data(BarCSVWriter.csv(SyntheticBars(seed: 3).generate(count: 500)).utf8))
        let stamp = Int(Date().timeIntervalSince1970)
        var server: [Double] = []
        var client: [Double] = []
        func call(_ method: String, _ path: String, _ body: Data? = nil) async throws -> JobRecord {
            var r = URLRequest(url: URL(string: "\(url)/\(path)")!)
            r.httpMethod = method
            r.httpBody = body
            r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (d, response) = try await URLSession.shared.data(for: r)
            guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
                throw ValidationError("\(method) \(path): \(String(decoding: d, as: UTF8.self))")
            }
            return try JSONCoding.decoder().decode(JobRecord.self, from: d)
        }
        for k in 0..<jobs {
            let spec = JobSpec(
                name: "latency-\(stamp)-\(k)", data: DataSource(path: data),
                run: RunSpec(
                    exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
                    strategy: ComponentRef(namespace: "strategies:noop")))
            let watch = Stopwatch()
            var job = try await call("POST", "api/jobs", spec.json())
            while job.startedAt == nil && !job.status.isTerminal {
                try await Task.sleep(for: .milliseconds(1))
                job = try await call("GET", "api/jobs/\(job.id)")
            }
            client.append(watch.seconds * 1000)
            if let started = job.startedAt { server.append(started.timeIntervalSince(job.createdAt) * 1000) }
            while !job.status.isTerminal {
                try await Task.sleep(for: .milliseconds(2))
                job = try await call("GET", "api/jobs/\(job.id)")
            }
            _ = try await call("DELETE", "api/jobs/\(job.id)")
        }
        print("\(jobs) jobs created one at a time; create → running (JobStarted recorded), milliseconds")
        for (name, values) in [("coordinator timestamps", server), ("client observed (polling 1 ms)", client)] {
            print(
                String(
                    format: "%-32@ p50 %.1f  p90 %.1f  p99 %.1f  max %.1f", name as NSString, percentile(values, 50),
                    percentile(values, 90), percentile(values, 99), values.max() ?? .nan))
        }
    }
}
