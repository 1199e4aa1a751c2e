import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP socket for playing a hostile or hand-written peer.
public final class RawConnection: @unchecked Sendable {
    let fd: Int32

    public init(port: Int, receiveTimeout: Int = 5) throws {
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
        var tv = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads exactly `count` bytes, or nil when the peer closes or the timeout passes first.
    public func read(count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while out.count < count {
            let want = count - out.count
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, want, 0) }
            guard n > 0 else { return nil }
            out += buffer[0..<n]
        }
        return out
    }

    /// Whatever arrives next (up to `max` bytes); nil when the peer closes or the timeout passes.
    public func readSome(max: Int = 65_536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    /// One frame: its type code and body, or nil when the peer closes or the timeout passes.
    public func readFrame() -> (type: UInt8, body: [UInt8])? {
        guard let head = read(count: 4) else { return nil }
        let length = Int(head[0]) << 24 | Int(head[1]) << 16 | Int(head[2]) << 8 | Int(head[3])
        guard length >= 1, let frame = read(count: length) else { return nil }
        return (frame[0], Array(frame[1...]))
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

    /// Reads until the peer closes (returns everything read) or the timeout passes (nil).
    public func readUntilClosed() -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                out += buffer[0..<n]
            } else if n == 0 {
                return out
            } else if errno == ECONNRESET {
                return out
            } else {
                return nil
            }
        }
    }
}
