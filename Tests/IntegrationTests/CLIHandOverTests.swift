import ATSTestSupport
import Foundation
import Testing

/// `ats` runs the trader's commands itself and hands the cluster commands to `ats-admin`, so that
/// it links no network or database client (and starts in milliseconds).
struct CLIHandOverTests {
    /// Runs `executable` (a path) to completion against a coordinator that is not there.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await runTool(
            executable, arguments,
            environment: ["PATH": "/usr/bin:/bin", "ATS_URL": "http://127.0.0.1:1", "ATS_ADMIN_TOKEN": "t"])
    }

    static var ats: String { ChildProcess.binDirectory.appendingPathComponent("ats").path }

    @Test func clusterCommandsAreListedAndRunByATSAdmin() async throws {
        let help = try await Self.run(Self.ats, ["--help"])
        #expect(help.status == 0)
        for command in [
            "job", "worker", "user", "credentials", "db", "backtest", "indicators", "data", "sweep", "components",
        ] {
            #expect(help.output.contains("\n  \(command) "), "ats --help lists \(command)")
        }
        // The real command's help, with its subcommands, from ats-admin.
        let job = try await Self.run(Self.ats, ["job", "--help"])
        #expect(job.status == 0 && job.output.contains("USAGE: ats job <subcommand>") && job.output.contains("create"))
        let worker = try await Self.run(Self.ats, ["help", "worker"])
        #expect(worker.status == 0 && worker.output.contains("undrain"))
        // Handed over with its arguments and exit code: nothing listens on port 1.
        let list = try await Self.run(Self.ats, ["job", "list", "--url", "http://127.0.0.1:1"])
        #expect(list.status == 6, "\(list.output)")
    }

    @Test func withoutATSAdminAClusterCommandSaysWhatIsMissing() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-alone-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let alone = dir.appendingPathComponent("ats").path
        try FileManager.default.copyItem(atPath: Self.ats, toPath: alone)
        let result = try await Self.run(alone, ["job", "list"])
        #expect(result.status == 1)
        #expect(result.output.contains("install ats-admin next to ats") && result.output.contains(dir.path))
        // The trader's commands still work on their own.
        let components = try await Self.run(alone, ["components"])
        #expect(components.status == 0 && components.output.contains("sma_cross"))
    }

    @Test func atsLinksNoNetworkOrDatabaseClient() async throws {
        let ldd = try await Self.run("/usr/bin/ldd", [Self.ats])
        #expect(ldd.status == 0)
        #expect(!ldd.output.contains("libcurl") && !ldd.output.contains("FoundationNetworking"), "\(ldd.output)")
        let admin = try await Self.run(
            "/usr/bin/ldd", [ChildProcess.binDirectory.appendingPathComponent("ats-admin").path])
        #expect(admin.status == 0 && admin.output.contains("libcurl"))
    }
}
