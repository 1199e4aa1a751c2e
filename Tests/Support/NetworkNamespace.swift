import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Another host on this machine: a network namespace joined to this one by veth pairs, so that
/// what crosses between them can be cut (`partition()`) and restored (`heal()`) like a real
/// network. With two links, one can be cut and the other kept (a worker that loses its
/// coordinator but still reaches its venue). Needs root and iproute2 (test.sh installs it).
public final class NetworkNamespace: @unchecked Sendable {
    public let name: String
    /// This side's address of each link (the host's end) and the namespace's.
    public let hostAddresses: [String]
    public let addresses: [String]
    let hostLinks: [String]

    /// The first link's addresses.
    public var hostAddress: String { hostAddresses[0] }
    public var address: String { addresses[0] }

    public init(index: Int, links: Int = 1) throws {
        guard getuid() == 0 else {
            throw TestEnvironmentError("network namespaces need root (tests run as root in CI)")
        }
        precondition((1...4).contains(links))
        let tag = "\(getpid() % 10_000)\(index)"
        name = "ats-ns-\(tag)"
        // One /30 per link in one /24: .1/.2, .5/.6, ...
        let prefix = "10.\(200 + index % 50).\(getpid() % 250)."
        hostLinks = (0..<links).map { "atsh\(tag)\($0 == 0 ? "" : "l\($0)")" }
        hostAddresses = (0..<links).map { "\(prefix)\(4 * $0 + 1)" }
        addresses = (0..<links).map { "\(prefix)\(4 * $0 + 2)" }
        try? Self.ip(["netns", "del", name])
        try Self.ip(["netns", "add", name])
        for k in 0..<links {
            let nsLink = "atsn\(tag)\(k == 0 ? "" : "l\(k)")"
            try Self.ip(["link", "add", hostLinks[k], "type", "veth", "peer", "name", nsLink])
            try Self.ip(["link", "set", nsLink, "netns", name])
            try Self.ip(["addr", "add", "\(hostAddresses[k])/30", "dev", hostLinks[k]])
            try Self.ip(["link", "set", hostLinks[k], "up"])
            try Self.ip(["netns", "exec", name, "ip", "addr", "add", "\(addresses[k])/30", "dev", nsLink])
            try Self.ip(["netns", "exec", name, "ip", "link", "set", nsLink, "up"])
        }
        try Self.ip(["netns", "exec", name, "ip", "link", "set", "lo", "up"])
    }

    /// How to run a program inside the namespace.
    public var launcher: [String] { [Self.ipPath, "netns", "exec", name] }

    /// Drops every packet between the namespace and this host over `link` (every link by
    /// default): no reset, a silent partition.
    public func partition(link: Int? = nil) throws {
        for h in link.map({ [hostLinks[$0]] }) ?? hostLinks { try Self.ip(["link", "set", h, "down"]) }
    }

    public func heal(link: Int? = nil) throws {
        for h in link.map({ [hostLinks[$0]] }) ?? hostLinks { try Self.ip(["link", "set", h, "up"]) }
    }

    public func remove() {
        for h in hostLinks { try? Self.ip(["link", "del", h]) }
        try? Self.ip(["netns", "del", name])
    }

    static var ipPath: String {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
            ?? "/usr/sbin/ip"
    }

    static func ip(_ arguments: [String]) throws {
        let (status, text) = try runQuickTool(ipPath, arguments)
        guard status == 0 else {
            throw TestEnvironmentError("ip \(arguments.joined(separator: " ")): \(text)")
        }
    }
}
