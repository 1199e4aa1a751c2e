import ArgumentParser
import Foundation

/// Runs a command body, turning our errors into a message on stderr and the documented exit code.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as CLIError {
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
        throw e.exitCode
    } catch let e as DataErrorBox {
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
        throw ExitCode(3)
    }
}

/// Wraps engine errors (data, spec) that map to "invalid input".
struct DataErrorBox: Error, CustomStringConvertible {
    var description: String
}

/// Prints JSON to stdout (pretty, sorted keys).
func printJSON<T: Encodable>(_ value: T) throws {
    let data = try JSONCodingPretty.encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

enum JSONCodingPretty {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        e.dateEncodingStrategy = .iso8601
        return e
    }
}
