import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// The whole coordinator as one service: PostgreSQL client, migrations, then the worker server,
/// the scheduler, the admin API, the live feed and the election side by side until graceful
/// shutdown, as one `ServiceGroup` (the database client started first and stopped last).
public final class Coordinator: Service, Sendable {
    public let configuration: CoordinatorConfiguration
    public let client: PostgresClient
    public let store: JobStore
    let hub = WorkerHub()
    /// Leader or standby: several coordinators may share the database, one leads.
    public let leadership: Leadership
    let election: LeaderElection
    let scheduler: SchedulerService
    public let workerServer: WorkerServer
    let logger: Logger
    let registry: Registry
    private let httpBound: AsyncStream<Int>.Continuation
    private let httpPort: AsyncStream<Int>
    private let listening: AsyncStream<(workerPort: Int, httpPort: Int)>.Continuation
    /// The worker and admin API ports, once both listen.
    public let bound: AsyncStream<(workerPort: Int, httpPort: Int)>

    /// Where swift-metrics' Prometheus backend collects (the daemon bootstraps it with this one).
    let metricsRegistry: PrometheusCollectorRegistry
    let metrics = CoordinatorMetrics()
    /// This process's recent log lines (the dashboard's log view).
    let logs: LogBuffer
    /// The dashboard's live updates.
    let feed: LiveFeed

    public init(
        configuration: CoordinatorConfiguration, registry: Registry = .standard,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logs: LogBuffer = LogBuffer(),
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.logs = logs
        self.metricsRegistry = metricsRegistry
        self.logger = logger
        self.registry = registry
        client = PostgresClient(
            configuration: try DatabaseURL.configuration(configuration.databaseURL), backgroundLogger: logger)
        leadership = Leadership(
            instanceId:
                "\(configuration.name)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        )
        election = LeaderElection(
            configuration: .init(
                databaseURL: configuration.databaseURL, lease: configuration.leaderLease,
                renewInterval: configuration.leaderRenewInterval),
            leadership: leadership, logger: logger)
        var store = JobStore(
            client: client, logger: logger, leaseTimeout: configuration.leaseTimeout, leadership: leadership,
            metrics: metrics)
        store.checkpointsKept = configuration.checkpointsKept
        self.store = store
        scheduler = SchedulerService(store: store, hub: hub, logger: logger, vault: configuration.vault)
        workerServer = WorkerServer(
            configuration: .init(
                host: configuration.workerHost, port: configuration.workerPort, secrets: configuration.workerSecrets,
                heartbeatInterval: configuration.heartbeatInterval, leaseTimeout: configuration.leaseTimeout,
                handshakeTimeout: configuration.handshakeTimeout, tls: configuration.workerTLS),
            store: store, hub: hub, scheduler: scheduler, leadership: leadership, logger: logger)
        feed = LiveFeed(client: client, logs: logs, logger: logger)
        (httpPort, httpBound) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
        (bound, listening) = AsyncStream.makeStream(
            of: (workerPort: Int, httpPort: Int).self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs the parts as one `ServiceGroup`: the lifecycle library starts them and, on graceful
    /// shutdown, stops them in the reverse of this order: the worker server, the scheduler, the
    /// live feed (ending every live stream) and the admin API first, then the election (which resigns, so a standby takes over
    /// at its next round), then the PostgreSQL client. The parts wait for the migrations; a part
    /// that fails stops the whole group.
    public func run() async throws {
        let migrated = StartGate()
        let mirror = try configuration.datasetStore.map {
            try DatasetMirror(
                location: $0, store: store, leadership: leadership, logger: logger,
                checkEvery: configuration.datasetStoreCheckEvery, partBytes: configuration.datasetStorePartBytes)
        }
        let api = AdminAPI(
            store: store, hub: hub, scheduler: scheduler, registry: registry, adminToken: configuration.adminToken,
            leadership: leadership,
            metrics: MetricsEndpoint(
                registry: metricsRegistry, store: store, hub: hub, leadership: leadership, metrics: metrics,
                jobSeries: configuration.metricsJobSeries),
            sessions: .init(ttl: configuration.sessionTTL, secureCookies: configuration.secureCookies), feed: feed,
            logs: logs, vault: configuration.vault, workerSecrets: configuration.workerSecrets,
            datasetMaxBytes: configuration.datasetMaxBytes, mirror: mirror, logger: logger)
        let bound = httpBound
        let app = Application(
            router: api.router(),
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort),
                serverName: "ats-coordinator"),
            onServerRunning: { channel in bound.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        var parts: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: client),
            .init(
                service: CoordinatorPart(name: "migrations", gate: nil) {
                    let applied = try await Migrator(client: self.client, logger: self.logger).migrate()
                    self.logger.info(
                        "database ready",
                        metadata: [
                            "url": "\(DatabaseURL.redacted(self.configuration.databaseURL))",
                            "applied_migrations": "\(applied)",
                        ])
                    migrated.open()
                    // Stays in the group until it stops (a part that ends early would end it).
                    try? await gracefulShutdown()
                }),
            .init(service: CoordinatorPart(name: "election", gate: migrated) { try await self.elect() }),
            .init(service: CoordinatorPart(name: "admin API", gate: migrated) { try await app.run() }),
            // After the API, so it stops first: it ends every live stream, which the API's
            // graceful shutdown waits for (the other way round, an open dashboard or `/api/stream`
            // held SIGTERM until the coordinator was killed).
            .init(service: CoordinatorPart(name: "live feed", gate: migrated) { await self.feed.run() }),
            .init(service: CoordinatorPart(name: "scheduler", gate: migrated) { try await self.scheduler.run() }),
            .init(
                service: CoordinatorPart(name: "worker server", gate: migrated) { try await self.workerServer.run() }),
        ]
        if let mirror {
            parts.append(
                .init(service: CoordinatorPart(name: "data set mirror", gate: migrated) { await mirror.run() }))
        }
        if let retention = configuration.recordingRetention {
            let pruner = RecordingRetention(
                store: store, leadership: leadership, retention: retention, logger: logger)
            parts.append(
                .init(service: CoordinatorPart(name: "recording retention", gate: migrated) { await pruner.run() }))
        }
        try await ServiceGroup(configuration: .init(services: parts, logger: logger)).run()
    }

    /// The election starts once both ports are bound: the leader row advertises them.
    private func elect() async throws {
        var workerPorts = workerServer.boundPort.makeAsyncIterator()
        var httpPorts = httpPort.makeAsyncIterator()
        guard let workerPort = await workerPorts.next(), let httpPort = await httpPorts.next() else { return }
        listening.yield((workerPort, httpPort))
        leadership.advertise(
            workerAddress: configuration.advertisedWorkerAddress
                ?? "\(Self.reachable(configuration.workerHost)):\(workerPort)",
            httpURL: configuration.advertisedURL ?? "http://\(Self.reachable(configuration.httpHost)):\(httpPort)")
        try await election.run()
    }

    /// A host others can dial: a wildcard bind address stands for this machine's name.
    static func reachable(_ host: String) -> String {
        host == "0.0.0.0" || host == "::" || host.isEmpty ? ProcessInfo.processInfo.hostName : host
    }
}
