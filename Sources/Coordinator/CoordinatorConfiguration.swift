import ATSDatabase
import ATSShared
import ATSVenues
import Foundation
import Logging
import NIOSSL

/// The coordinator's settings, from the environment and `.env` (docs/CONFIGURATION.md).
public struct CoordinatorConfiguration: Sendable {
    public var databaseURL: String
    public var workerHost: String
    public var workerPort: Int
    public var httpHost: String
    public var httpPort: Int
    /// The cluster secret and the per-worker ones workers prove in their hello.
    public var workerSecrets: WorkerSecrets
    /// The largest bar file `ats data add` may send (`ATS_DATASET_MAX_MB`, default 1024).
    public var datasetMaxBytes: Int
    /// The object store the leader puts data sets in (`ATS_DATASET_S3_URL`; nil: none).
    public var datasetStore: S3Location?
    /// How often the leader looks at the objects it put in the store (their size), to put a set
    /// there again when its object is gone or changed (`ATS_DATASET_S3_CHECK_SECONDS`, default 600).
    public var datasetStoreCheckEvery: Duration = .seconds(600)
    /// Sets larger than this go to the store in parts of this size (`ATS_DATASET_S3_PART_MB`,
    /// default 16): the leader holds one part in memory, not the whole set.
    public var datasetStorePartBytes: Int64 = 16 << 20
    public var adminToken: String
    public var heartbeatInterval: Duration
    public var leaseTimeout: Duration
    /// A worker connection must complete its hello within this.
    public var handshakeTimeout: Duration
    public var logLevel: Logger.Level
    /// This coordinator's name in the leader row (made unique per start by ``Leadership``).
    public var name: String
    /// How long the leader row holds without renewal, and how often coordinators run an election
    /// round (renew, or try to take over).
    public var leaderLease: Duration
    public var leaderRenewInterval: Duration
    /// What other coordinators tell workers and clients to use to reach this one when it leads
    /// (nil: derived from the bound host and port).
    public var advertisedWorkerAddress: String?
    public var advertisedURL: String?
    /// TLS on the worker port (mutual when `ATS_TLS_CA` is set); nil: plain TCP.
    public var workerTLS: NIOSSLContext?
    /// A dashboard session ends after this long without a request.
    public var sessionTTL: Duration
    /// Mark the session cookie `Secure` (set when a TLS proxy serves the dashboard).
    public var secureCookies: Bool
    /// Where the coordinator also writes its log, rotated by size (nil: stdout only).
    public var logFile: String?
    /// Seals venue credentials at rest (`ATS_MASTER_KEY` or `ATS_MASTER_KEY_FILE`; nil: none).
    public var vault: CredentialVault?
    /// How long the candles jobs on live markets saw are kept (`ATS_RECORDING_RETENTION_DAYS`,
    /// 90 by default; 0: for ever).
    public var recordingRetention: Duration?
    /// Checkpoints kept per job, the newest (`ATS_CHECKPOINTS_KEPT`, 5 by default).
    public var checkpointsKept: Int
    /// Active jobs with equity and drawdown series of their own on `/metrics`, the deepest in
    /// drawdown (`ATS_METRICS_JOB_SERIES`, 1,000 by default).
    public var metricsJobSeries: Int

    public init(environment env: Environment) throws {
        guard let url = env["DATABASE_URL"] ?? env["ATS_DATABASE_URL"] else {
            throw ConfigurationError(
                variable: "DATABASE_URL", reason: "is required (postgres://user:password@host:5432/db)")
        }
        databaseURL = url
        workerHost = env.string("ATS_WORKER_HOST", default: "127.0.0.1")
        workerPort = try env.int("ATS_WORKER_PORT", default: 7070)
        httpHost = env.string("ATS_HTTP_HOST", default: "127.0.0.1")
        httpPort = try env.int("ATS_HTTP_PORT", default: 8080)
        let perWorker = try env["ATS_WORKER_SECRETS_FILE"].map { try WorkerSecrets.load(path: $0) } ?? [:]
        let workerToken = env["ATS_WORKER_TOKEN"]
        guard workerToken.map({ $0.count >= 16 }) ?? !perWorker.isEmpty else {
            throw ConfigurationError(
                variable: "ATS_WORKER_TOKEN",
                reason:
                    "is required, at least 16 characters (workers authenticate with it), unless ATS_WORKER_SECRETS_FILE gives each worker its own"
            )
        }
        guard let adminToken = env["ATS_ADMIN_TOKEN"], adminToken.count >= 16 else {
            throw ConfigurationError(
                variable: "ATS_ADMIN_TOKEN", reason: "is required, at least 16 characters (the CLI and API use it)")
        }
        workerSecrets = WorkerSecrets(cluster: workerToken, perWorker: perWorker)
        self.adminToken = adminToken
        heartbeatInterval = .milliseconds(try env.int("ATS_HEARTBEAT_MS", default: 1000))
        leaseTimeout = .milliseconds(try env.int("ATS_LEASE_TIMEOUT_MS", default: 5000))
        guard leaseTimeout > heartbeatInterval * 2 else {
            throw ConfigurationError(
                variable: "ATS_LEASE_TIMEOUT_MS", reason: "must be more than twice ATS_HEARTBEAT_MS")
        }
        handshakeTimeout = .milliseconds(try env.int("ATS_HANDSHAKE_TIMEOUT_MS", default: 5000))
        guard handshakeTimeout > .zero else {
            throw ConfigurationError(variable: "ATS_HANDSHAKE_TIMEOUT_MS", reason: "must be positive")
        }
        name = env.string("ATS_COORDINATOR_NAME", default: ProcessInfo.processInfo.hostName)
        leaderLease = .milliseconds(try env.int("ATS_LEADER_LEASE_MS", default: 3000))
        leaderRenewInterval = .milliseconds(try env.int("ATS_LEADER_RENEW_MS", default: 500))
        guard leaderRenewInterval > .zero, leaderLease >= leaderRenewInterval * 3 else {
            throw ConfigurationError(
                variable: "ATS_LEADER_LEASE_MS", reason: "must be at least three times ATS_LEADER_RENEW_MS (> 0)")
        }
        advertisedWorkerAddress = env["ATS_ADVERTISE_WORKER_ADDRESS"]
        advertisedURL = env["ATS_ADVERTISE_URL"]
        workerTLS = try WorkerPortTLS.context(env)
        sessionTTL = .seconds(60 * (try env.int("ATS_SESSION_TTL_MINUTES", default: 480)))
        guard sessionTTL > .zero else {
            throw ConfigurationError(variable: "ATS_SESSION_TTL_MINUTES", reason: "must be positive")
        }
        secureCookies = try env.int("ATS_SECURE_COOKIES", default: 0) != 0
        let datasetMB = try env.int("ATS_DATASET_MAX_MB", default: 1024)
        guard (1...65_536).contains(datasetMB) else {
            throw ConfigurationError(variable: "ATS_DATASET_MAX_MB", reason: "must be 1-65536")
        }
        datasetMaxBytes = datasetMB << 20
        datasetStore = try DatasetStore.location(env, keysRequired: true)
        let checkSeconds = try env.int("ATS_DATASET_S3_CHECK_SECONDS", default: 600)
        guard (1...86_400).contains(checkSeconds) else {
            throw ConfigurationError(variable: "ATS_DATASET_S3_CHECK_SECONDS", reason: "must be 1-86400 seconds")
        }
        datasetStoreCheckEvery = .seconds(checkSeconds)
        let partMB = try env.int("ATS_DATASET_S3_PART_MB", default: 16)
        guard (5...5120).contains(partMB) else {
            throw ConfigurationError(variable: "ATS_DATASET_S3_PART_MB", reason: "must be 5-5120 (S3's part sizes)")
        }
        datasetStorePartBytes = Int64(partMB) << 20
        logFile = env["ATS_LOG_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        vault = try CredentialVault.load(env)
        let retentionDays = try env.int("ATS_RECORDING_RETENTION_DAYS", default: 90)
        guard retentionDays >= 0 else {
            throw ConfigurationError(
                variable: "ATS_RECORDING_RETENTION_DAYS", reason: "must be a number of days, 0 to keep for ever")
        }
        recordingRetention = retentionDays == 0 ? nil : .seconds(86_400 * retentionDays)
        checkpointsKept = try env.int("ATS_CHECKPOINTS_KEPT", default: 5)
        guard checkpointsKept >= 1 else {
            throw ConfigurationError(
                variable: "ATS_CHECKPOINTS_KEPT", reason: "must be at least 1 (a job resumes from its newest)")
        }
        metricsJobSeries = try env.int("ATS_METRICS_JOB_SERIES", default: 1_000)
        guard metricsJobSeries >= 0 else {
            throw ConfigurationError(variable: "ATS_METRICS_JOB_SERIES", reason: "must be 0 or more")
        }
        let level = env.string("LOG_LEVEL", default: "info").lowercased()
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ConfigurationError(
                variable: "LOG_LEVEL", reason: "expected trace, debug, info, notice, warning, error or critical")
        }
        logLevel = parsed
    }
}
