import ATSEngine
import ATSShared
import Foundation

/// Runs a job spec through the engine in this process, the way the cluster must reproduce it.
enum InProcessRun {
    static func run(_ spec: JobSpec) throws -> (fills: [Fill], statistics: BacktestStatistics) {
        let resolved = try spec.validate(with: .standard)
        let bars = try BarCSVReader.read(path: spec.data.path)
        var session = try Registry.standard.makeSession(resolved)
        session.run(bars, until: bars.count)
        return (session.takeFills(), session.statistics(barInterval: bars.barInterval))
    }
}

/// Synthetic data files written once per test process.
enum TestData {
    static let directory: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-tests-data-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    static func file(bars: Int, seed: UInt64) -> String {
        let path = "\(directory)/synth-\(bars)-\(seed).csv"
        if !FileManager.default.fileExists(atPath: path) {
            let text = BarCSVWriter.csv(SyntheticBars(seed: seed).generate(count: bars))
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
        return path
    }

    static func spec(
        _ name: String, data: String, strategy: String, _ config: [String: ParameterValue], mode: JobMode = .backtest,
        exchange: [String: ParameterValue] = [:], checkpointEvery: Int = 10_000, paceMs: Int = 0, labels: [String] = []
    ) -> JobSpec {
        JobSpec(
            name: name, mode: mode, labels: labels, data: DataSource(path: data),
            run: RunSpec(
                exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: exchange),
                strategy: ComponentRef(namespace: "strategies:\(strategy)", config: config),
                fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
                portfolio: .init(cash: 100_000)),
            checkpointEvery: checkpointEvery, paperPaceMs: paceMs)
    }
}
