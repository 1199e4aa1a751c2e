import ATSBacktestCLI
import Foundation
import Yams

/// Job spec files: JSON as is, YAML converted to the same JSON (by extension, or when the text
/// does not start with `{`).
enum SpecFile {
    static func json(from data: Data, name: String) throws -> Data {
        let text = String(decoding: data, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let isYAML =
            name.hasSuffix(".yaml") || name.hasSuffix(".yml") || !(trimmed.hasPrefix("{") || trimmed.hasPrefix("["))
        guard isYAML else { return data }
        let object: Any?
        do {
            object = try Yams.load(yaml: text)
        } catch {
            throw CLIError.invalid("\(name): not valid YAML: \(error)")
        }
        guard let object, JSONSerialization.isValidJSONObject(object) else {
            throw CLIError.invalid("\(name): expected a mapping of job fields")
        }
        return try JSONSerialization.data(withJSONObject: object)
    }
}
