import ATSEngine

/// Where a job's bars come from: a registered data set (`ats data add`), which a worker that
/// lacks it fetches from the coordinators and checks against its content hash; or a file under
/// the worker's data root (`ATS_DATA_DIR`), in a supported CSV format or the binary catalog. The
/// path is relative to that root and may not leave it: no absolute path, no `..`; the worker also
/// refuses a symbolic link that leads out and anything but a regular file (``DataRoot`` on the
/// worker).
public struct DataSource: Sendable, Hashable, Codable {
    /// A file under the workers' data root (empty when the job names a data set).
    public var path: String
    /// Nil means detect from the file.
    public var format: BarFormat?
    /// A data set's name (or hash), as the trader wrote it.
    public var set: String?
    /// The content hash the set had when the job was created: the job runs on exactly those bytes
    /// wherever it goes (the coordinator pins it; a spec may not choose it).
    public var hash: String?

    public init(path: String, format: BarFormat? = nil) {
        self.path = path
        self.format = format
    }

    /// The data set named `set`.
    public init(set: String) {
        path = ""
        self.set = set
    }

    enum CodingKeys: String, CodingKey { case path, format, `set`, hash }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        format = try c.decodeIfPresent(BarFormat.self, forKey: .format)
        set = try c.decodeIfPresent(String.self, forKey: .set)
        hash = try c.decodeIfPresent(String.self, forKey: .hash)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if set == nil || !path.isEmpty { try c.encode(path, forKey: .path) }
        try c.encodeIfPresent(format, forKey: .format)
        try c.encodeIfPresent(set, forKey: .set)
        try c.encodeIfPresent(hash, forKey: .hash)
    }

    /// What the job's data is, for people: the set's name, or the path.
    public var label: String { self.set.map { "set \($0)" + (hash.map { " (\($0))" } ?? "") } ?? path }

    /// Why `name` cannot name a data set, or nil: 1–100 letters, digits, `.`, `_`, `-`, starting
    /// with a letter or digit, and not all digits.
    public static func setNameProblem(_ name: String) -> String? {
        guard (1...100).contains(name.count) else { return "must be 1-100 characters" }
        guard
            name.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || $0 == "." || $0 == "_" || $0 == "-"
            })
        else { return "may hold only letters, digits, '.', '_' and '-'" }
        guard let first = name.unicodeScalars.first, first != ".", first != "_", first != "-" else {
            return "must start with a letter or a digit"
        }
        if name.hasPrefix("xxh3:") || name.allSatisfy(\.isNumber) { return "must not read as a hash or a number" }
        return nil
    }

    /// Why `path` cannot name a file under a data root, or nil when it can.
    public static func confinementProblem(_ path: String) -> String? {
        if path.hasPrefix("/") {
            return "must be relative to the workers' data directory (ATS_DATA_DIR), not an absolute path"
        }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "must not contain control characters"
        }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return "must not contain '..': it must stay inside the workers' data directory"
        }
        if path.count > 1024 { return "must be at most 1024 characters" }
        return nil
    }
}
