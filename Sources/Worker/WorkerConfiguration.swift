import ATSShared
import ATSVenues
import Foundation
import Logging
import NIOSSL

/// The worker's settings, from the environment and `.env` (docs/CONFIGURATION.md).
public struct WorkerConfiguration: Sendable {
    /// Coordinator addresses, tried in turn (several coordinators: the leader and its standbys).
    public var coordinators: [(host: String, port: Int)]
    public var workerId: String
    public var capacity: Int
    public var labels: [String]
    public var token: String
    /// The data root: job specs name files relative to it, and no file outside it is read.
    public var dataDirectory: String
    /// How long a drain (SIGTERM) may take before what is not handed over is stopped here.
    public var drainTimeout: Duration
    /// The bar cache's limit: the least recently used files are dropped beyond it.
    public var barCacheBytes: Int
    /// Where data sets are fetched from: the coordinators' HTTP (`ATS_COORDINATOR_HTTP`, base URLs;
    /// default each `ATS_COORDINATOR` host on port 8080), tried in turn.
    public var datasetSources: [String]
    /// Where fetched data sets are kept (`ATS_DATASET_CACHE_DIR`, default `.ats-datasets` in the
    /// data directory), and how many bytes of them at most (`ATS_DATASET_CACHE_MB`, default 10240).
    public var datasetCacheDirectory: String
    public var datasetCacheBytes: Int64
    /// The object store sets are fetched from first when the leader has put them there
    /// (`ATS_DATASET_S3_URL`; keys optional: a bucket may be readable anonymously).
    public var datasetStore: S3Location?
    /// Unacknowledged messages kept for resending; when full, jobs pause (backpressure).
    public var outboxLimit: Int
    public var fillBatchSize: Int
    /// At most this many progress reports, and time-based checkpoints, a second across the
    /// worker's jobs (``JobCadence``): what a worker costs the coordinator stays bounded.
    public var progressPerSecond: Int
    public var checkpointsPerSecond: Int
    public var logLevel: Logger.Level
    /// TLS to the coordinators (nil: plain TCP), and the name their certificates must carry
    /// (nil: the host dialled).
    public var tls: NIOSSLContext?
    public var tlsServerName: String?
    /// The worker's own `/healthz` and `/metrics` (nil port: not served).
    public var httpHost: String
    public var httpPort: Int?
    public var metricsToken: String?
    /// Where the worker also writes its log, rotated by size (nil: stdout only).
    public var logFile: String?

    public init(environment env: Environment) throws {
        let addresses = env.string("ATS_COORDINATOR", default: "127.0.0.1:7070").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        coordinators = try addresses.map { address in
            guard let parsed = Self.address(address) else {
                throw ConfigurationError(
                    variable: "ATS_COORDINATOR", reason: "expected host:port[,host:port...], got \"\(address)\"")
            }
            return parsed
        }
        guard !coordinators.isEmpty else {
            throw ConfigurationError(variable: "ATS_COORDINATOR", reason: "needs at least one host:port")
        }
        let host = ProcessInfo.processInfo.hostName
        // Unique per process by default: two processes under one id would each take the other's
        // connection and jobs. Under systemd, the unit names each instance (ATS_WORKER_ID=%H-%i).
        workerId = env.string("ATS_WORKER_ID", default: "\(host)-\(ProcessInfo.processInfo.processIdentifier)")
        capacity = try env.int("ATS_WORKER_CAPACITY", default: ProcessInfo.processInfo.activeProcessorCount)
        guard (1...10_000).contains(capacity) else {
            throw ConfigurationError(variable: "ATS_WORKER_CAPACITY", reason: "must be 1-10000")
        }
        labels = env.string("ATS_WORKER_LABELS", default: "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        guard let token = env["ATS_WORKER_TOKEN"], token.count >= 16 else {
            throw ConfigurationError(
                variable: "ATS_WORKER_TOKEN",
                reason: "is required, at least 16 characters (the cluster secret the coordinator also has)")
        }
        self.token = token
        dataDirectory = env.string("ATS_DATA_DIR", default: FileManager.default.currentDirectoryPath)
        drainTimeout = .milliseconds(try env.int("ATS_DRAIN_TIMEOUT_MS", default: 10_000))
        barCacheBytes = try env.int("ATS_BAR_CACHE_MB", default: 2048) * 1024 * 1024
        guard barCacheBytes > 0 else {
            throw ConfigurationError(variable: "ATS_BAR_CACHE_MB", reason: "must be positive")
        }
        datasetSources = env.string(
            "ATS_COORDINATOR_HTTP",
            default: coordinators.map { "http://\($0.host.contains(":") ? "[\($0.host)]" : $0.host):8080" }.joined(
                separator: ",")
        ).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for source in datasetSources where !(source.hasPrefix("http://") || source.hasPrefix("https://")) {
            throw ConfigurationError(
                variable: "ATS_COORDINATOR_HTTP", reason: "expected http(s)://host:port[,...], got \"\(source)\"")
        }
        datasetCacheDirectory = env.string("ATS_DATASET_CACHE_DIR", default: dataDirectory + "/.ats-datasets")
        datasetCacheBytes = Int64(try env.int("ATS_DATASET_CACHE_MB", default: 10_240)) << 20
        guard datasetCacheBytes > 0 else {
            throw ConfigurationError(variable: "ATS_DATASET_CACHE_MB", reason: "must be positive")
        }
        datasetStore = try DatasetStore.location(env, keysRequired: false)
        outboxLimit = try env.int("ATS_OUTBOX_LIMIT", default: 256)
        fillBatchSize = try env.int("ATS_FILL_BATCH", default: 2000)
        progressPerSecond = try env.int("ATS_PROGRESS_PER_SECOND", default: 50)
        checkpointsPerSecond = try env.int("ATS_CHECKPOINTS_PER_SECOND", default: 10)
        for (variable, value) in [
            ("ATS_PROGRESS_PER_SECOND", progressPerSecond), ("ATS_CHECKPOINTS_PER_SECOND", checkpointsPerSecond),
        ] where value < 1 {
            throw ConfigurationError(variable: variable, reason: "must be at least 1")
        }
        tls = try CoordinatorTLS.context(env)
        tlsServerName = env["ATS_TLS_SERVER_NAME"]
        httpHost = env.string("ATS_WORKER_HTTP_HOST", default: "127.0.0.1")
        httpPort = try env["ATS_WORKER_HTTP_PORT"].map { _ in try env.int("ATS_WORKER_HTTP_PORT", default: 0) }
        if let port = httpPort, !(0...65535).contains(port) {
            throw ConfigurationError(variable: "ATS_WORKER_HTTP_PORT", reason: "must be 0-65535")
        }
        metricsToken = env["ATS_WORKER_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let t = metricsToken, t.count < 16 {
            throw ConfigurationError(variable: "ATS_WORKER_METRICS_TOKEN", reason: "must be at least 16 characters")
        }
        logFile = env["ATS_LOG_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let level = env.string("LOG_LEVEL", default: "info").lowercased()
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ConfigurationError(
                variable: "LOG_LEVEL", reason: "expected trace, debug, info, notice, warning, error or critical")
        }
        logLevel = parsed
    }

    /// `host:port` (the last colon splits, so bracket-less IPv6 hosts work), or nil.
    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), colon > text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        return (String(text[..<colon]), port)
    }
}
