import ServiceLifecycle

/// Tells systemd how the daemon is doing: `READY=1` once `ready` returns (the daemon is
/// listening), `WATCHDOG=1` every half `WatchdogSec` while the process's tasks still run, and
/// `STOPPING=1` as soon as a graceful shutdown begins. List it last in the service group: it is
/// then told about the shutdown first.
public struct SystemdService: Service {
    let notifier: SystemdNotifier
    let status: String
    let ready: @Sendable () async throws -> Void

    public init(
        notifier: SystemdNotifier = SystemdNotifier(), status: String,
        ready: @escaping @Sendable () async throws -> Void
    ) {
        self.notifier = notifier
        self.status = status
        self.ready = ready
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await ready()
                notifier.notify("READY=1\nSTATUS=\(status)")
                guard let interval = notifier.watchdogInterval else {
                    try await gracefulShutdown()
                    return
                }
                while true {
                    notifier.notify("WATCHDOG=1")
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // The graceful shutdown began.
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping")
    }
}
