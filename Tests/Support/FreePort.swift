import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
public func freePort() throws -> Int {
    try bindable(port: 0) ?? { throw TestEnvironmentError("no free port") }()
}

/// A free port below the kernel's ephemeral range (32768 and up on Linux), for servers: no
/// outgoing connection of a test running alongside can take it between this check and the
/// server's bind, nor while the server restarts.
/// A port is handed out once per test process: suites running side by side never get the same
/// one (a server not listening yet leaves its port bindable for another's check).
public func freeFixedPort() throws -> Int {
    for _ in 0..<200 {
        let candidate = Int.random(in: 20_000..<32_000)
        guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
        if let port = try bindable(port: candidate) { return port }
    }
    throw TestEnvironmentError("no free port in 20000-32000")
}

private let handedOut = Mutex<Set<Int>>([])

/// Binds 127.0.0.1:`port` (0: any) and releases it; the port bound, or nil when taken.
private func bindable(port: Int) throws -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestEnvironmentError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
    guard bound == 0 else {
        if port != 0 { return nil }
        throw TestEnvironmentError("bind() failed")
    }
    let named = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    guard named == 0 else { throw TestEnvironmentError("getsockname() failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
