import ATSEngine

/// Where a job's bars come from: a file under the worker's data root (`ATS_DATA_DIR`), in a
/// supported CSV format or the binary catalog. The path is relative to that root and may not
/// leave it: no absolute path, no `..`; the worker also refuses a symbolic link that leads out
/// and anything but a regular file (``DataRoot`` on the worker).
public struct DataSource: Sendable, Hashable, Codable {
    public var path: String
    /// Nil means detect from the file.
    public var format: BarFormat?

    public init(path: String, format: BarFormat? = nil) {
        self.path = path
        self.format = format
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
