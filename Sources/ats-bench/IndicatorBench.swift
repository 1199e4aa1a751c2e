import ATSEngine
import ArgumentParser
import Foundation

/// Batch indicator timings over synthetic bars (best of N), for the comparison with TA-Lib.
struct IndicatorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators", abstract: "Batch indicator time over 1M bars.")

    @Option(help: "Bars.") var bars: Int = 1_000_000
    @Option(help: "Repetitions (the best is reported).") var repeats: Int = 10

    func run() async throws {
        let series = SyntheticBars(seed: 42).generate(count: bars)
        let calls = [
            "sma:period=30", "ema:period=30", "rsi:period=14", "macd:fast=12,slow=26,signal=9", "bbands:period=20",
            "atr:period=14",
        ]
        // Incremental updates, one bar at a time (what a strategy does per bar).
        let closes = series.close.array
        let highs = series.high.array
        let lows = series.low.array
        incremental("sma:period=30") {
            var sma = SMA(period: 30)
            var acc = 0.0
            for x in closes { if let v = sma.update(x) { acc += v } }
            return acc
        }
        incremental("atr:period=14") {
            var atr = ATR(period: 14)
            var acc = 0.0
            for i in closes.indices {
                if let v = atr.update(high: highs[i], low: lows[i], close: closes[i]) { acc += v }
            }
            return acc
        }
        for text in calls {
            let call = try IndicatorCall(parsing: text)
            let (type, parameters) = try Registry.standard.indicator(call)
            var best = Double.infinity
            var checksum = 0.0
            for _ in 0..<repeats {
                let watch = Stopwatch()
                let out = try type.batch(series, parameters: parameters)
                best = min(best, watch.seconds)
                checksum += out[0][bars - 1]
            }
            print(
                String(
                    format: "%-32@ %8.3f ms  (%.1f ns/bar)  last %.6f", text as NSString, best * 1000,
                    best / Double(bars) * 1e9, checksum / Double(repeats)))
        }
    }

    /// Best of `repeats` runs of `body` (a whole series fed one bar at a time; it returns a checksum).
    private func incremental(_ name: String, _ body: () -> Double) {
        var best = Double.infinity
        var checksum = 0.0
        for _ in 0..<repeats {
            let watch = Stopwatch()
            checksum = body()
            best = min(best, watch.seconds)
        }
        print(
            String(
                format: "incremental %-22@ %8.3f ms  (%.1f ns/update)  %.3f", name as NSString, best * 1000,
                best / Double(bars) * 1e9, checksum))
    }
}
