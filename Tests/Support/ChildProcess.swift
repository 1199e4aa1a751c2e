import Foundation

/// One of our executables running as a real process, its output in a log file.
public final class ChildProcess: @unchecked Sendable {
    public let name: String
    public let process: Process
    public let logPath: String
    private let lock = NSLock()

    /// Where `swift build` put the executables: next to the test bundle.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["ATS_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("ats-worker").path)
        {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// Starts `executable` from the build; `launcher` (e.g. `ip netns exec NS`) runs it inside
    /// another command.
    public init(
        _ executable: String, name: String, environment: [String: String], arguments: [String] = [],
        launcher: [String] = []
    ) throws {
        self.name = name
        process = Process()
        // A name is one of the build's executables; a path is any program.
        let path =
            executable.hasPrefix("/")
            ? URL(fileURLWithPath: executable) : Self.binDirectory.appendingPathComponent(executable)
        if let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(launcher.dropFirst()) + [path.path] + arguments
        } else {
            process.executableURL = path
            process.arguments = arguments
        }
        // Only what we pass: no stray .env or developer settings leak in.
        var env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "ATS_ENV_FILE": "/nonexistent",
        ]
        env.merge(environment) { $1 }
        process.environment = env
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        logPath = dir.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.currentDirectoryURL = dir
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }

    public func signal(_ sig: Int32) {
        lock.withLock { if process.isRunning { kill(process.processIdentifier, sig) } }
    }

    /// Waits for the process to exit (polling, so it never blocks a cooperative thread for long).
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    public func stop() async {
        signal(SIGTERM)
        if await waitForExit(timeout: .seconds(10)) == nil {
            signal(SIGKILL)
            await waitForExit()
        }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
