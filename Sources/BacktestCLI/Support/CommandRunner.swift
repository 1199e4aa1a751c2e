import ATSCommon
import ArgumentParser
import Foundation

/// Runs a command body, turning our errors into a message on stderr and the documented exit code.
public func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as CLIError {
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
        throw e.exitCode
    }
}

/// Prints JSON to stdout (pretty, sorted keys).
public func printJSON<T: Encodable>(_ value: T) throws {
    let data = try JSONCoding.encoder(pretty: true).encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
