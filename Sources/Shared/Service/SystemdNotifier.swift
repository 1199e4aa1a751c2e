import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The `sd_notify` protocol, without libsystemd: datagrams to `$NOTIFY_SOCKET` (a path, or an
/// abstract socket when it starts with `@`). Under `Type=notify` systemd waits for `READY=1`
/// before it counts the service as started, reads `STOPPING=1` on the way down, and restarts the
/// service when `WATCHDOG=1` stops coming for `WatchdogSec`.
public struct SystemdNotifier: Sendable {
    let socketPath: String?
    /// How often to send `WATCHDOG=1` (half of `WATCHDOG_USEC`), when systemd asks for it.
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
            environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// Whether systemd listens (the process runs under `Type=notify`).
    public var isEnabled: Bool { socketPath != nil }

    /// Sends one notification (`READY=1`, `STOPPING=1`, `WATCHDOG=1`, `STATUS=…`, several joined
    /// by newlines). False when nobody listens or it could not be sent.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            for (i, byte) in path.enumerated() { sunPath[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        let payload = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { addressPointer in
                payload.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), addressPointer, length)
                }
            }
        }
        return sent == payload.count
    }
}
