import Foundation

/// Runs a program to completion and returns its exit status and its output (stdout and stderr
/// together). The output goes to a file and the exit is polled, so no thread waits on the
/// program: a blocked thread is one of the two the whole test process runs its tasks on (on a
/// two-core machine), and a tool that runs for seconds there left the other tests' requests to
/// time out. `input`, when given, is the program's standard input. Not for programs that leave
/// a daemon behind (see ``PrivatePostgres``).
public func runTool(
    _ path: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil,
    timeout: Duration = .seconds(300)
) async throws -> (status: Int32, output: String) {
    let (process, file) = try startTool(path, arguments, environment: environment, input: input)
    defer { try? FileManager.default.removeItem(at: file) }
    // Given up on (the timeout, or the test cancelled): the program goes, and what it started
    // with it when it leads a process group of its own.
    defer {
        if process.isRunning {
            kill(-process.processIdentifier, SIGKILL)
            kill(process.processIdentifier, SIGKILL)
        }
    }
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline {
            throw TestEnvironmentError(
                "\(path) \(arguments.joined(separator: " ")) did not finish in \(timeout):\n" + output(file))
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    // The status is set before `isRunning` turns false; `waitUntilExit` would spin a run loop.
    return (process.terminationStatus, output(file))
}

/// What a program wrote, bytes that are not UTF-8 replaced.
private func output(_ file: URL) -> String {
    String(decoding: (try? Data(contentsOf: file)) ?? Data(), as: UTF8.self)
}

/// ``runTool(_:_:environment:input:timeout:)`` waiting on the calling thread: only for programs that
/// take milliseconds (`ip`), where the caller cannot wait otherwise (a `defer`).
public func runQuickTool(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let (process, file) = try startTool(path, arguments, environment: nil, input: nil)
    defer { try? FileManager.default.removeItem(at: file) }
    process.waitUntilExit()
    return (process.terminationStatus, output(file))
}

/// Starts `path` with its output going to a new file (and `input` read from another, deleted
/// once open).
private func startTool(_ path: String, _ arguments: [String], environment: [String: String]?, input: Data?)
    throws -> (Process, URL)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-tests", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("tool-\(UUID().uuidString.prefix(8)).out")
    _ = FileManager.default.createFile(atPath: file.path, contents: nil)
    let output = try FileHandle(forWritingTo: file)
    defer { try? output.close() }
    process.standardOutput = output
    process.standardError = output
    var inputHandle: FileHandle?
    defer { try? inputHandle?.close() }
    if let input {
        let inputFile = dir.appendingPathComponent("tool-\(UUID().uuidString.prefix(8)).in")
        try input.write(to: inputFile)
        defer { try? FileManager.default.removeItem(at: inputFile) }
        inputHandle = try FileHandle(forReadingFrom: inputFile)
        process.standardInput = inputHandle
    }
    do {
        try process.run()
    } catch {
        try? FileManager.default.removeItem(at: file)
        throw error
    }
    return (process, file)
}
