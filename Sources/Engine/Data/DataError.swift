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

    /// A field's text as an error may quote it: at most `limit` characters, control characters,
    /// quotes and backslashes escaped. A job's error travels to the coordinator and its users: a
    /// file that is not bar data (a secret, say) must not come back in it.
    public static func excerpt(_ text: Substring, limit: Int = 24) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        if text.unicodeScalars.count > limit { out += "…" }
        return "\"" + out + "\""
    }

    public var description: String {
        line == 0 ? "\(file): \(reason)" : "\(file):\(line):\(column): \(reason)"
    }
}
