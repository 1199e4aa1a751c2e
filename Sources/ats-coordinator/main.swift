import ATSCoordinator
import ATSShared
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

// ats-coordinator: configuration from the environment and .env, then one service group that
// shuts down gracefully on SIGTERM and SIGINT.
let environment = Environment()
let configuration: CoordinatorConfiguration
do {
    configuration = try CoordinatorConfiguration(environment: environment)
} catch {
    FileHandle.standardError.write(Data("ats-coordinator: configuration error: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}
// Logs: stdout (journald), the optional rotating ATS_LOG_FILE, and the dashboard's log view.
let logs = LogBuffer()
let logFile: RotatingLogFile?
do {
    logFile = try configuration.logFile.map { try RotatingLogFile(path: $0) }
} catch {
    FileHandle.standardError.write(Data("ats-coordinator: configuration error: ATS_LOG_FILE: \(error)\n".utf8))
    exit(78)
}
LogSetup.bootstrap(level: configuration.logLevel, file: logFile, buffer: logs)
let logger = Logger(label: "ats.coordinator")
// swift-metrics → Prometheus: what the coordinator, Hummingbird and PostgresNIO record is
// exported by GET /metrics.
let metricsRegistry = PrometheusCollectorRegistry()
MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metricsRegistry))
do {
    let coordinator = try Coordinator(
        configuration: configuration, metricsRegistry: metricsRegistry, logs: logs, logger: logger)
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: coordinator)]
    let notifier = SystemdNotifier()
    if notifier.isEnabled {
        // Ready once both ports listen (Type=notify in deploy/ats-coordinator.service).
        services.append(
            .init(
                service: SystemdService(notifier: notifier, status: "coordinator ready") {
                    for await _ in coordinator.bound { break }
                }))
    }
    let group = ServiceGroup(
        configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
} catch is CancellationError {
    // Shut down by a signal.
} catch {
    logger.critical("coordinator stopped", metadata: ["error": "\(error)"])
    exit(1)
}
