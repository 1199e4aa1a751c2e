/// A problem in a data file, with where it is: `bars.csv:17:3: expected a number, got "abc"`.
public struct DataError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line and column (column counts fields, 0 when the problem is the whole line or file).
    public var line: Int
    public var column: Int
    public var reason: String

    public init(file: String, line: Int, column: Int, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        line == 0 ? "\(file): \(reason)" : "\(file):\(line):\(column): \(reason)"
    }
}
