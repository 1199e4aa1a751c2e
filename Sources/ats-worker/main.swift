import ATSShared
import ATSWorker
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

// ats-worker: configuration from the environment and .env; drains gracefully on SIGTERM/SIGINT.
let configuration: WorkerConfiguration
do {
    configuration = try WorkerConfiguration(environment: Environment())
} catch {
    FileHandle.standardError.write(Data("ats-worker: configuration error: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}
do {
    LogSetup.bootstrap(
        level: configuration.logLevel, file: try configuration.logFile.map { try RotatingLogFile(path: $0) },
        buffer: nil)
} catch {
    FileHandle.standardError.write(Data("ats-worker: configuration error: ATS_LOG_FILE: \(error)\n".utf8))
    exit(78)
}
// swift-metrics → Prometheus, served on the worker's own port (ATS_WORKER_HTTP_PORT).
let metricsRegistry = PrometheusCollectorRegistry()
MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metricsRegistry))
var logger = Logger(label: "ats.worker")
logger[metadataKey: "worker"] = "\(configuration.workerId)"
let worker: WorkerService
do {
    worker = try WorkerService(configuration: configuration, logger: logger)
} catch {
    FileHandle.standardError.write(Data("ats-worker: configuration error: ATS_DATA_DIR: \(error)\n".utf8))
    exit(78)
}
var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: worker)]
if let port = configuration.httpPort {
    services.append(
        .init(
            service: WorkerHTTPServer(
                worker: worker, registry: metricsRegistry, host: configuration.httpHost, port: port,
                token: configuration.metricsToken, logger: logger)))
}
let notifier = SystemdNotifier()
if notifier.isEnabled {
    // Ready at once: a worker waiting for its coordinator is running as it should
    // (Type=notify in deploy/ats-worker@.service).
    services.append(
        .init(service: SystemdService(notifier: notifier, status: "worker \(configuration.workerId) ready") {}))
}
let group = ServiceGroup(
    configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
do {
    try await group.run()
} catch is CancellationError {
    // Shut down by a signal.
} catch {
    logger.critical("worker stopped", metadata: ["error": "\(error)"])
    exit(1)
}
