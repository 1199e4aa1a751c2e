import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What systemd would be for `Type=notify` services: a datagram socket at a path that collects
/// their `sd_notify` messages.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    let fd: Int32

    public init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("ats-notify-\(UUID().uuidString.prefix(8))")
            .path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestEnvironmentError("socket(AF_UNIX) failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw TestEnvironmentError("bind(\(path)) failed") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Every message that arrives within `duration`. The socket is read without blocking and
    /// polled, so the wait holds no thread.
    public func receive(for duration: Duration) async -> [String] {
        var out: [String] = []
        let deadline = ContinuousClock.now + duration
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                out.append(String(decoding: buffer[0..<n], as: UTF8.self))
                continue
            }
            if ContinuousClock.now >= deadline { return out }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { return out }  // cancelled
        }
    }

    /// Waits until a message containing `text` arrives; returns every message seen meanwhile.
    public func wait(for text: String, timeout: Duration) async -> [String]? {
        var seen: [String] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let batch = await receive(for: .milliseconds(100))
            seen += batch
            if batch.contains(where: { $0.contains(text) }) { return seen }
        }
        return nil
    }
}
