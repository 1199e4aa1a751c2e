import ATSCommon
import ATSEngine
import ArgumentParser
import Foundation

/// `ats backtest`: one backtest on this machine, no database.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest", abstract: "Run a backtest on a bar file and print its statistics.",
        discussion: """
            ats backtest --data bars.csv --strategy sma_cross --param fast=10 --param slow=30 \\
                --cash 100000 --fee generic:taker=0.001 --json
            Exchange policy flags go through --exchange-param, e.g. --exchange-param market_fill=close.
            `ats components` lists strategies, fee models and their parameters.
            ats backtest --from-trial s1/137 runs trial 137 of cluster sweep s1 again and checks it
            against the sweep's (see ats-admin backtest --help).
            """)

    @Option(help: "Bar file: seed CSV, plain CSV (epoch ms) or Binance klines.") var data: String
    @Option(help: "Force the file format: seed, plain, binance.") var format: String?
    @Option(help: "Strategy name.") var strategy: String
    @Option(name: .customLong("param"), help: "Strategy parameter name=value (repeat).") var params: [String] = []
    @Option(help: "Symbol BASE/QUOTE.") var symbol: String = Self.defaultSymbol
    @Option(help: "Fee model NAME[:param=value,...].") var fee: String = Self.defaultFee
    @Option(help: "Starting quote balance.") var cash: Double = Self.defaultCash
    @Option(help: "Exchange (venue rules and fill policy).") var exchange: String = Self.defaultExchange
    @Option(
        name: .customLong("exchange-param"), help: "Exchange parameter name=value (repeat), e.g. market_fill=close.")
    var exchangeParams: [String] = []
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(help: "Write a self-contained HTML report (equity, drawdown, trades) to this file.") var report: String?
    @Flag(help: "No progress bar.") var quiet = false
    @Flag(help: "Paper mode: feed the bars one at a time at wall-clock pace and print each fill as it happens.")
    var paper = false
    @Option(help: "Paper mode: milliseconds per bar (default: the data's own bar interval).") var paceMs: Int?

    // The defaults, named: ``QuickStart`` sets them too.
    static let defaultSymbol = "BTC/USDT"
    static let defaultFee = "generic:taker=0.001"
    static let defaultCash = 100_000.0
    static let defaultExchange = "simulated"

    func run() async throws {
        try await reportingErrors {
            let spec = try RunSpecFlags.runSpec(
                strategy: strategy, params: params, symbol: symbol, fee: fee, cash: cash,
                exchangeParams: exchangeParams,
                exchange: exchange)
            let resolved: ResolvedRun
            do { resolved = try Registry.standard.resolve(spec) } catch let e as SpecError {
                throw CLIError.invalid(e.description)
            }
            var session = try Registry.standard.makeSession(
                resolved,
                options: SessionOptions(
                    recordTrades: true, recordEquity: report != nil, keepFills: report != nil || paper,
                    recordPlots: report != nil))
            let clock = ContinuousClock()
            let loadStart = clock.now
            let bytes: Data
            do { bytes = try BarLoader.read(data) } catch let e as DataError { throw CLIError.invalid(e.description) }
            // A large CSV's first bars are run while the last ones parse, on the core that would
            // otherwise wait for them (not in paper mode, which paces every bar), and the stamp's
            // hash takes in the bytes the parse has just read, while the cache still holds them.
            var ranWhileLoading = Duration.zero
            var hashedWhileLoading = Duration.zero
            var hash = XXH3.Progressive()
            let bars: BarSeries
            do {
                bars = try BarLoader.parse(
                    bytes, file: data, format: format.flatMap(BarFormat.init(rawValue:)), inPlace: true,
                    consume: paper
                        ? nil
                        : { first, parsed in
                            let start = clock.now
                            session.run(first, until: first.count)
                            let ran = clock.now
                            bytes.withUnsafeBytes { hash.advance($0, to: parsed) }
                            ranWhileLoading += ran - start
                            hashedWhileLoading += clock.now - ran
                        })
            } catch let e as DataError {
                throw CLIError.invalid(e.description)
            }
            let loadTime = clock.now - loadStart - ranWhileLoading - hashedWhileLoading
            // The rest of the hash runs on the other core while the strategy's last bars run on
            // this one (the parse already uses every core).
            let hashing = Task.detached { [hash] in ReproducibilityStamp.hash(hash, of: bytes) }
            let progress = ProgressBar(enabled: !quiet && !json && isatty(2) != 0, total: bars.count)
            let runStart = clock.now - ranWhileLoading
            var paperFills: [Fill] = []
            if paper {
                let pace = Duration.milliseconds(Int64(paceMs ?? Int(bars.barInterval)))
                FileHandle.standardError.write(Data("paper mode: \(bars.count) bars, one every \(pace)\n".utf8))
                while session.cursor < bars.count {
                    session.run(bars, until: session.cursor + 1)
                    for fill in session.takeFills() {
                        print(PaperLine.format(fill))
                        paperFills.append(fill)
                    }
                    try await Task.sleep(for: pace)
                }
            } else {
                let step = max(bars.count / 100, 50_000)
                while session.cursor < bars.count {
                    session.run(bars, until: session.cursor + step)
                    progress.update(session.cursor)
                }
            }
            let runTime = clock.now - runStart
            progress.finish()
            let stats = session.statistics(barInterval: bars.barInterval)
            let summary = TradeSummary(
                trades: session.trades, portfolio: resolved.spec.portfolio, firstClose: bars.close.first ?? 0,
                lastClose: bars.close.last ?? 0)
            var stamp = ReproducibilityStamp(
                dataFile: data, data: Data(), bars: bars.count, spec: try Registry.standard.normalized(spec))
            stamp.dataHash = await hashing.value
            stamp.dataBytes = bytes.count
            if let report {
                var html = HTMLReport(
                    title: "Backtest: \(strategy) on \(symbol)", statistics: stats, stamp: stamp, bars: bars,
                    equity: session.equityCurve, fills: paper ? paperFills : session.takeFills(), trades: session.trades
                )
                html.plots = Array(zip(session.plots, session.plotValues)).map { (series: $0.0, values: $0.1) }
                guard FileManager.default.createFile(atPath: report, contents: Data(html.render().utf8)) else {
                    throw CLIError.invalid("cannot write \(report)")
                }
            }
            if json {
                try printJSON(
                    BacktestReport(
                        statistics: stats, summary: summary, stamp: stamp, loadSeconds: loadTime.seconds,
                        runSeconds: runTime.seconds))
            } else {
                print(StatisticsText.lines(stats, summary: summary).joined(separator: "\n"))
                print(
                    String(
                        format: "load %.3fs, run %.3fs (%.1fM bars/s)", loadTime.seconds, runTime.seconds,
                        Double(bars.count) / runTime.seconds / 1e6))
                print("data \(stamp.dataHash)")
                if let report { print("report: \(report)") }
            }
        }
    }
}

/// `--json` output: the statistics plus the end-of-run summary and timings, one flat object.
struct BacktestReport: Encodable {
    var statistics: BacktestStatistics
    var summary: TradeSummary
    var stamp: ReproducibilityStamp
    var loadSeconds: Double
    var runSeconds: Double

    enum CodingKeys: String, CodingKey {
        case stamp
        case summary = "trade_summary"
        case loadSeconds = "load_seconds"
        case runSeconds = "run_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        try statistics.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(loadSeconds, forKey: .loadSeconds)
        try c.encode(runSeconds, forKey: .runSeconds)
        try c.encode(stamp, forKey: .stamp)
        try c.encode(summary, forKey: .summary)
    }
}

/// One fill as paper mode prints it.
enum PaperLine {
    static func format(_ f: Fill) -> String {
        "\(Timestamp.format(f.time))  #\(f.seq)  \(f.side.rawValue) \(f.quantity.fixed(6)) @ \(f.price.fixed(4))  fee \(f.feeInQuote.fixed(4))  \(f.tag)"
    }
}
