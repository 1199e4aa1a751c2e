import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation

/// Runs a job spec through the engine in this process, the way the cluster must reproduce it.
enum InProcessRun {
    static func run(_ spec: JobSpec) throws -> (fills: [Fill], statistics: BacktestStatistics) {
        let resolved = try spec.validate(with: .standard)
        let bars = try BarCSVReader.read(path: TestData.path(spec.data.path))
        var session = try Registry.standard.makeSession(resolved)
        session.run(bars, until: bars.count)
        return (session.takeFills(), session.statistics(barInterval: bars.barInterval))
    }

    /// The fills of `spec` when its strategy's configuration is replaced before each given bar
    /// (reloads taking effect there), as a worker must make them.
    static func fills(_ spec: JobSpec, switches: [(bar: Int, config: [String: ParameterValue])]) throws -> [Fill] {
        let resolved = try spec.validate(with: .standard)
        let bars = try BarCSVReader.read(path: TestData.path(spec.data.path))
        var session = try Registry.standard.makeSession(resolved)
        for change in switches.sorted(by: { $0.bar < $1.bar }) {
            session.run(bars, until: change.bar)
            try session.replaceStrategy(parameters: try resolved.strategy.descriptor.validate(change.config))
        }
        session.run(bars, until: bars.count)
        return session.takeFills()
    }
}

/// Synthetic data files written once per test process, in the test workers' data root.
enum TestData {
    static var directory: String { TestDataRoot.path }

    /// A job's data path (relative to the data root) as a file this process can read.
    static func path(_ relative: String) -> String { relative.hasPrefix("/") ? relative : "\(directory)/\(relative)" }

    /// A file of the data root as a job names it: relative to the root.
    static func relative(_ path: String) -> String {
        path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
    }

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
            name: name, mode: mode, labels: labels, data: DataSource(path: relative(data)),
            run: RunSpec(
                exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: exchange),
                strategy: ComponentRef(namespace: "strategies:\(strategy)", config: config),
                fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
                portfolio: .init(cash: 100_000)),
            checkpointEvery: checkpointEvery, paperPaceMs: paceMs)
    }
}
