import ArgumentParser
import Testing

@testable import ATSBacktestCLI

/// ``QuickStart`` reads exactly what ArgumentParser reads, or leaves the arguments to it.
struct QuickStartTests {
    /// Every property of the command as ArgumentParser's wrapper holds it: a value read differently,
    /// or one left unset (a property the quick path forgot, which would stop the run when read),
    /// shows as a difference.
    func properties(_ command: BacktestCommand) -> [String] {
        Mirror(reflecting: command).children.map { "\($0.label ?? "?") = \(String(reflecting: $0.value))" }
    }

    func parsed(_ arguments: [String]) throws -> BacktestCommand {
        let command = try ATSCommand.parseAsRoot(arguments)
        return try #require(command as? BacktestCommand)
    }

    @Test(arguments: [
        ["backtest", "--data", "bars.csv", "--strategy", "sma_cross"],
        [
            "backtest", "--data", "/tmp/plain-1m.csv", "--strategy", "sma_cross", "--param", "fast=10", "--param",
            "slow=30", "--param", "quantity=1", "--cash", "1000000000", "--json", "--quiet",
        ],
        [
            "backtest", "--quiet", "--strategy", "bollinger", "--format", "seed", "--data", "a b.csv", "--symbol",
            "ETH/USDT", "--fee", "binance:vip=1", "--cash", "2.5e4", "--exchange", "binance", "--exchange-param",
            "market_fill=close", "--exchange-param", "slippage_bps=2", "--report", "r.html", "--paper", "--pace-ms",
            "250", "--json",
        ],
        ["backtest", "--strategy", "x", "--data", "d", "--cash", "+7", "--pace-ms", "+3"],
        ["backtest", "--data", "d", "--strategy", "x", "--param", "k=-1", "--cash", "inf"],
    ])
    func readsWhatArgumentParserReads(_ arguments: [String]) throws {
        let quick = try #require(QuickStart.backtest(arguments))
        #expect(properties(quick) == properties(try parsed(arguments)))
    }

    @Test(arguments: [
        ["backtest"],
        ["backtest", "--help"],
        ["backtest", "-h"],
        ["help", "backtest"],
        ["--version"],
        ["data", "list"],
        ["backtest", "--data", "d"],  // no strategy: ArgumentParser says so
        ["backtest", "--strategy", "x"],
        ["backtest", "--data=d", "--strategy", "x"],
        ["backtest", "--data", "d", "--strategy", "x", "--data", "e"],  // twice
        ["backtest", "--data", "d", "--strategy", "x", "--json", "--json"],
        ["backtest", "--data", "d", "--strategy", "x", "--cash", "ten"],
        ["backtest", "--data", "d", "--strategy", "x", "--cash", "-5"],  // a value like an option
        ["backtest", "--data", "d", "--strategy", "x", "--pace-ms", "1.5"],
        ["backtest", "--data", "", "--strategy", "x"],
        ["backtest", "--data", "d", "--strategy", "x", "--param"],
        ["backtest", "--data", "d", "--strategy", "x", "--nope", "1"],
        ["backtest", "--data", "d", "--strategy", "x", "extra"],
        ["backtest", "--data", "d", "--strategy", "x", "--", "--json"],
    ])
    func leavesAnythingElseToArgumentParser(_ arguments: [String]) {
        #expect(QuickStart.backtest(arguments) == nil)
    }
}
