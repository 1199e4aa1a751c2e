import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// The daemons under systemd: the `sd_notify` protocol they speak (`Type=notify`: ready,
/// watchdog, stopping) and the unit files in deploy/, checked by `systemd-analyze verify`.
@Suite(.serialized)
struct SystemdTests {
    static func watchdogPings(_ messages: [String]) -> Int {
        var n = 0
        for m in messages where m == "WATCHDOG=1" { n += 1 }
        return n
    }

    @Test func daemonsReportReadyWatchdogAndStoppingToSystemd() async throws {
        let systemd = try NotifySocket()
        // What systemd sets for a unit with Type=notify and WatchdogSec=0.4.
        try await TestCluster.with(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "400000"]) {
            cluster in
            let coordinator = await systemd.wait(for: "STATUS=coordinator ready", timeout: .seconds(10))
            #expect(coordinator?.contains { $0.hasPrefix("READY=1") } == true, "the coordinator says it is ready")

            let worker = try cluster.startWorker("notified")
            let ready = await systemd.wait(for: "STATUS=worker notified ready", timeout: .seconds(10))
            #expect(ready != nil, "the worker says it is ready")
            let seen = await systemd.receive(for: .seconds(1))
            let pings = Self.watchdogPings(seen)
            #expect(pings >= 4, "watchdog pings every 0.2 s from both daemons, got \(pings) in \(seen)")

            worker.signal(SIGTERM)
            let stopping = await systemd.wait(for: "STOPPING=1", timeout: .seconds(10))
            #expect(stopping != nil, "the worker says it is stopping as the drain begins")
            #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        }
    }

    @Test func unitFilesPassSystemdAnalyzeVerify() async throws {
        let analyze = try #require(
            ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            },
            "systemd-analyze is missing: test.sh installs systemd")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ats-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The units name /usr/local/bin; point them at the binaries just built so that verify
        // finds executables there.
        var units: [String] = []
        for (file, instance) in [
            ("ats-coordinator.service", "ats-coordinator.service"), ("ats-worker@.service", "ats-worker@1.service"),
        ] {
            let text = try String(contentsOf: root.appendingPathComponent("deploy/\(file)"), encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/", with: ChildProcess.binDirectory.path + "/")
            let target = dir.appendingPathComponent(instance)
            try text.write(to: target, atomically: true, encoding: .utf8)
            units.append(target.path)
        }
        let (status, text) = try await runTool(analyze, ["verify", "--man=no"] + units)
        #expect(status == 0, "\(text)")
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "no warnings: \(text)")
    }
}
