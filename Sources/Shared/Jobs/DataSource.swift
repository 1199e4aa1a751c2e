import ATSEngine

/// Where a job's bars come from: a file the worker can read (CSV in a supported format, or a
/// binary catalog). Relative paths are resolved against the worker's data directory.
public struct DataSource: Sendable, Hashable, Codable {
    public var path: String
    /// Nil means detect from the file.
    public var format: BarFormat?

    public init(path: String, format: BarFormat? = nil) {
        self.path = path
        self.format = format
    }
}
