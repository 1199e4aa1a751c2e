import ATSEngine
import ATSTestSupport
import Foundation
import Testing

/// `ats backtest` as a trader runs it, in the real process.
struct BacktestCommandTests {
    /// Runs `ats` and returns its output; a failure throws with the output.
    func ats(_ arguments: [String]) async throws -> String {
        let (status, text) = try await runTool(
            ChildProcess.binDirectory.appendingPathComponent("ats").path, arguments,
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "ATS_ENV_FILE": "/nonexistent",
            ])
        guard status == 0 else { throw Failure("ats \(arguments) exited \(status): \(text)") }
        return text
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The report without what differs between two loads of the same bars: timings and the
    /// file's own name, bytes and hash.
    func results(_ json: String) throws -> NSDictionary {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
        var kept = object
        kept["load_seconds"] = nil
        kept["run_seconds"] = nil
        var stamp = object["stamp"] as? [String: Any] ?? [:]
        for key in ["data_file", "data_bytes", "data_hash"] { stamp[key] = nil }
        kept["stamp"] = stamp
        return kept as NSDictionary
    }

    @Test func aLargeCSVRunWhileItParsesGivesTheCatalogsResults() async throws {
        // 150,000 bars (11 MB) parse in chunks, the first ones run while the last ones parse; the
        // same bars from a catalog load at once and run in one go. Every figure must be the same,
        // with fills at the next open (orders cross the handovers) and at the close.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-tests/backtest-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("bars.csv").path
        let catalog = dir.appendingPathComponent("bars.atsb").path
        _ = try await ats(["data", "synth", "--bars", "150000", "--seed", "12", "--format", "plain", "--out", csv])
        _ = try await ats(["data", "import", "--in", csv, "--out", catalog])
        #expect(try FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int ?? 0 > 8 << 20)
        for fill in ["next_open", "close"] {
            let arguments = [
                "backtest", "--quiet", "--json", "--strategy", "sma_cross", "--exchange-param", "market_fill=\(fill)",
            ]
            let csvReport = try await ats(arguments + ["--data", csv])
            let fromCSV = try results(csvReport)
            let fromCatalog = try await results(ats(arguments + ["--data", catalog]))
            #expect(fromCSV == fromCatalog, "\(fill)")
            // The stamp's hash, taken in while the file parsed, is the whole file's.
            let stamp = try JSONSerialization.jsonObject(with: Data(csvReport.utf8)) as? [String: Any]
            let hash = (stamp?["stamp"] as? [String: Any])?["data_hash"] as? String
            #expect(hash == ReproducibilityStamp.hash(try Data(contentsOf: URL(fileURLWithPath: csv))), "\(fill)")
            #expect((fromCSV["fills"] as? Int ?? 0) > 100, "\(fill): the strategy traded")
        }
    }
}
