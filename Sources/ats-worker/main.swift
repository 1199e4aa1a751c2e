import ATSShared
import ATSWorker
import Foundation
import Logging
import ServiceLifecycle

// ats-worker: configuration from the environment and .env; drains gracefully on SIGTERM/SIGINT.
let configuration: WorkerConfiguration
do {
    configuration = try WorkerConfiguration(environment: Environment())
} catch {
    FileHandle.standardError.write(Data("ats-worker: configuration error: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = configuration.logLevel
    return handler
}
var logger = Logger(label: "ats.worker")
logger[metadataKey: "worker"] = "\(configuration.workerId)"
let worker = WorkerService(configuration: configuration, logger: logger)
var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: worker)]
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
