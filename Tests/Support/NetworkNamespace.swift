import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Another host on this machine: a network namespace joined to this one by a veth pair, so that
/// what crosses between them can be cut (`partition()`) and restored (`heal()`) like a real
/// network. Needs root and iproute2 (test.sh installs it).
public final class NetworkNamespace: @unchecked Sendable {
    public let name: String
    /// This side's address (the host's end of the link) and the namespace's.
    public let hostAddress: String
    public let address: String
    let hostLink: String

    public init(index: Int) throws {
        guard getuid() == 0 else {
            throw TestEnvironmentError("network namespaces need root (tests run as root in CI)")
        }
        let tag = "\(getpid() % 10_000)\(index)"
        name = "ats-ns-\(tag)"
        hostLink = "atsh\(tag)"
        let nsLink = "atsn\(tag)"
        let subnet = "10.\(200 + index % 50).\(getpid() % 250).0"
        let prefix = subnet.dropLast(2)
        hostAddress = "\(prefix).1"
        address = "\(prefix).2"
        try? Self.ip(["netns", "del", name])
        try Self.ip(["netns", "add", name])
        try Self.ip(["link", "add", hostLink, "type", "veth", "peer", "name", nsLink])
        try Self.ip(["link", "set", nsLink, "netns", name])
        try Self.ip(["addr", "add", "\(hostAddress)/30", "dev", hostLink])
        try Self.ip(["link", "set", hostLink, "up"])
        try Self.ip(["netns", "exec", name, "ip", "addr", "add", "\(address)/30", "dev", nsLink])
        try Self.ip(["netns", "exec", name, "ip", "link", "set", nsLink, "up"])
        try Self.ip(["netns", "exec", name, "ip", "link", "set", "lo", "up"])
    }

    /// How to run a program inside the namespace.
    public var launcher: [String] { [Self.ipPath, "netns", "exec", name] }

    /// Drops every packet between the namespace and this host (no reset: a silent partition).
    public func partition() throws { try Self.ip(["link", "set", hostLink, "down"]) }

    public func heal() throws { try Self.ip(["link", "set", hostLink, "up"]) }

    public func remove() {
        try? Self.ip(["link", "del", hostLink])
        try? Self.ip(["netns", "del", name])
    }

    static var ipPath: String {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
            ?? "/usr/sbin/ip"
    }

    static func ip(_ arguments: [String]) throws {
        let (status, text) = try runTool(ipPath, arguments)
        guard status == 0 else {
            throw TestEnvironmentError("ip \(arguments.joined(separator: " ")): \(text)")
        }
    }
}
