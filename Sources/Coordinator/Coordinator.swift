import ATSDatabase
import ATSEngine
import ATSShared
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// The whole coordinator as one service: PostgreSQL client, migrations, then the worker server,
/// the scheduler and the admin API side by side until graceful shutdown. The database client is
/// started first and stopped last.
public final class Coordinator: Service, Sendable {
    public let configuration: CoordinatorConfiguration
    public let client: PostgresClient
    public let store: JobStore
    let hub = WorkerHub()
    let scheduler: SchedulerService
    public let workerServer: WorkerServer
    let logger: Logger
    let registry: Registry
    private let httpBound: AsyncStream<Int>.Continuation
    /// The admin API's port once listening.
    public let httpPort: AsyncStream<Int>
    /// The port workers connect to, once listening.
    public var workerPort: AsyncStream<Int> { workerServer.boundPort }

    public init(configuration: CoordinatorConfiguration, registry: Registry = .standard, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.registry = registry
        client = PostgresClient(
            configuration: try DatabaseURL.configuration(configuration.databaseURL), backgroundLogger: logger)
        store = JobStore(client: client, logger: logger, leaseTimeout: configuration.leaseTimeout)
        scheduler = SchedulerService(store: store, hub: hub, logger: logger)
        workerServer = WorkerServer(
            configuration: .init(
                host: configuration.workerHost, port: configuration.workerPort, secrets: configuration.workerSecrets,
                heartbeatInterval: configuration.heartbeatInterval, leaseTimeout: configuration.leaseTimeout,
                handshakeTimeout: configuration.handshakeTimeout),
            store: store, hub: hub, scheduler: scheduler, logger: logger)
        (httpPort, httpBound) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { outer in
            outer.addTask { await self.client.run() }
            let applied = try await Migrator(client: client, logger: logger).migrate()
            logger.info(
                "database ready",
                metadata: [
                    "url": "\(DatabaseURL.redacted(configuration.databaseURL))", "applied_migrations": "\(applied)",
                ])
            try await store.resetConnections()

            let api = AdminAPI(
                store: store, hub: hub, scheduler: scheduler, registry: registry, adminToken: configuration.adminToken)
            let bound = httpBound
            let app = Application(
                router: api.router(),
                configuration: .init(
                    address: .hostname(configuration.httpHost, port: configuration.httpPort),
                    serverName: "ats-coordinator"),
                onServerRunning: { channel in bound.yield(channel.localAddress?.port ?? 0) },
                logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { inner in
                inner.addTask { try await self.workerServer.run() }
                inner.addTask { try await self.scheduler.run() }
                inner.addTask { try await app.run() }
                // On graceful shutdown each part ends by itself; if one ends otherwise (an error, a
                // port in use), the others are cancelled.
                try await inner.next()
                if !Task.isShuttingDownGracefully { inner.cancelAll() }
                try await inner.waitForAll()
            }
            outer.cancelAll()
        }
    }
}
