/// Where data sets are kept in an S3-compatible store: the URL of the folder the objects go in
/// (`https://BUCKET.s3.REGION.amazonaws.com/PREFIX` for AWS's virtual-hosted style, or
/// `http://HOST:PORT/BUCKET/PREFIX` for path style, as MinIO, Ceph and most others use), the
/// region signed for, and the keys (none: unsigned requests, for a bucket the workers may read
/// anonymously).
public struct S3Location: Sendable, CustomStringConvertible {
    /// `scheme://host[:port]`.
    public var origin: String
    /// The folder's path, `/`-separated, without a trailing slash (empty: the root).
    public var folder: String
    public var region: String
    public var credentials: S3Credentials?

    /// `url`: `http(s)://host[:port][/path]`; nil when it is not such a URL.
    public init?(url: String, region: String, credentials: S3Credentials?) {
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), !url.contains("?"), !url.contains("#") else {
            return nil
        }
        let scheme = url.hasPrefix("https://") ? "https://" : "http://"
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        origin = scheme + authority
        folder = rest.dropFirst(authority.count).split(separator: "/").joined(separator: "/")
        self.region = region
        self.credentials = credentials
    }

    /// The region an AWS endpoint names (`s3.REGION.amazonaws.com`, `BUCKET.s3.REGION.amazonaws.com`,
    /// `s3-REGION.amazonaws.com`), nil for other hosts.
    public var awsRegion: String? {
        let host = origin.split(separator: "/").last.map { $0.split(separator: ":").first.map(String.init) ?? "" } ?? ""
        guard host.hasSuffix(".amazonaws.com") else { return nil }
        let labels = host.dropLast(".amazonaws.com".count).split(separator: ".")
        if let i = labels.lastIndex(of: "s3") {
            let rest = labels[(i + 1)...].filter { $0 != "dualstack" }
            return rest.first.map(String.init)
        }
        if let last = labels.last, last.hasPrefix("s3-") { return String(last.dropFirst(3)) }
        return nil
    }

    /// The path of object `name` in the folder (unencoded).
    public func path(_ name: String) -> String { folder.isEmpty ? "/\(name)" : "/\(folder)/\(name)" }

    public var description: String { "\(origin)\(folder.isEmpty ? "" : "/" + folder)" }
}
