import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP socket for playing a hostile or hand-written peer.
public final class RawConnection: @unchecked Sendable {
    let fd: Int32
    /// How long a read waits for bytes before it gives up.
    let receiveTimeout: Duration

    public init(port: Int, receiveTimeout: Int = 5) throws {
        self.receiveTimeout = .seconds(receiveTimeout)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestEnvironmentError("socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard ok == 0 else {
            close(fd)
            throw TestEnvironmentError("connect() to \(port) failed")
        }
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads exactly `count` bytes, or nil when the peer closes or the timeout passes first.
    public func read(count: Int) async -> [UInt8]? {
        let deadline = ContinuousClock.now + receiveTimeout
        var out: [UInt8] = []
        while out.count < count {
            guard let some = await receive(max: count - out.count, deadline: deadline), !some.isEmpty else {
                return nil
            }
            out += some
        }
        return out
    }

    /// Whatever arrives next (up to `max` bytes); nil when the peer closes or the timeout passes.
    public func readSome(max: Int = 65_536) async -> [UInt8]? {
        guard let some = await receive(max: max, deadline: ContinuousClock.now + receiveTimeout), !some.isEmpty
        else { return nil }
        return some
    }

    /// One frame: its type code and body, or nil when the peer closes or the timeout passes.
    public func readFrame() async -> (type: UInt8, body: [UInt8])? {
        guard let head = await read(count: 4) else { return nil }
        let length = Int(head[0]) << 24 | Int(head[1]) << 16 | Int(head[2]) << 8 | Int(head[3])
        guard length >= 1, let frame = await read(count: length) else { return nil }
        return (frame[0], Array(frame[1...]))
    }

    /// Up to `max` bytes as soon as some arrive; none when the peer has closed (or reset) the
    /// connection; nil on another error or once `deadline` passes. The socket is read without
    /// blocking and polled, so waiting holds no thread (the test process runs every test's tasks
    /// on as many threads as cores).
    func receive(max: Int, deadline: ContinuousClock.Instant) async -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, Int32(MSG_DONTWAIT)) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 || errno == ECONNRESET { return [] }
            if (errno != EAGAIN && errno != EWOULDBLOCK) || ContinuousClock.now >= deadline { return nil }
            do { try await Task.sleep(for: .milliseconds(5)) } catch { return nil }  // cancelled
        }
    }

    /// Whether the peer has closed the connection, checked without waiting; whatever it sent
    /// before and nobody read yet is discarded.
    public var isClosedByPeer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { continue }
            return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }

    /// Reads until the peer closes (returns everything read, also after a reset) or the timeout
    /// passes (nil).
    public func readUntilClosed() async -> [UInt8]? {
        let deadline = ContinuousClock.now + receiveTimeout
        var out: [UInt8] = []
        while let some = await receive(max: 4096, deadline: deadline) {
            if some.isEmpty { return out }
            out += some
        }
        return nil
    }
}
