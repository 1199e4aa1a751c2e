import ArgumentParser

/// `ats backtest` without ArgumentParser's start when its arguments are plain: ArgumentParser
/// learns a command's options by reflection, and in this static binary each first look-up of a
/// conformance walks all of its ~7,700 records (measured: 72% of a 2,000-bar backtest's
/// instructions, BENCHMARKS "CSV ingest"). Only `backtest`'s own options, each `--name value`
/// (no `=`, no value that is empty or starts with `-`), each single option at most once and the
/// required ones present are read here; anything else (help, a typo, `--name=value`, a value
/// that does not convert) goes to ArgumentParser, which reads it, or words the error, as always.
/// What is read here is what ArgumentParser would read (`QuickStartTests` compares the two).
public enum QuickStart {
    /// Runs `ats backtest` when `arguments` (without the program's name) are read here; false
    /// when they are not, and nothing has happened.
    public static func run(_ arguments: [String]) async -> Bool {
        guard let command = backtest(arguments) else { return false }
        do {
            try await command.run()
        } catch {
            ATSCommand.exit(withError: error)
        }
        return true
    }

    /// The command `arguments` make, or nil for anything outside the plain shape above.
    static func backtest(_ arguments: [String]) -> BacktestCommand? {
        guard arguments.first == "backtest" else { return nil }
        var single: [String: String] = [:]
        var params: [String] = []
        var exchangeParams: [String] = []
        var flags: Set<String> = []
        var i = 1
        while i < arguments.count {
            let name = arguments[i]
            i += 1
            if flagNames.contains(name) {
                guard flags.insert(name).inserted else { return nil }
                continue
            }
            guard optionNames.contains(name), i < arguments.count else { return nil }
            let value = arguments[i]
            i += 1
            guard let first = value.utf8.first, first != UInt8(ascii: "-") else { return nil }
            switch name {
            case "--param": params.append(value)
            case "--exchange-param": exchangeParams.append(value)
            default:
                guard single.updateValue(value, forKey: name) == nil else { return nil }
            }
        }
        guard let data = single["--data"], let strategy = single["--strategy"] else { return nil }
        var cash = BacktestCommand.defaultCash
        if let text = single["--cash"] {
            guard let value = Double(text) else { return nil }
            cash = value
        }
        var paceMs: Int?
        if let text = single["--pace-ms"] {
            guard let value = Int(text) else { return nil }
            paceMs = value
        }
        var command = BacktestCommand()
        command.data = data
        command.format = single["--format"]
        command.strategy = strategy
        command.params = params
        command.symbol = single["--symbol"] ?? BacktestCommand.defaultSymbol
        command.fee = single["--fee"] ?? BacktestCommand.defaultFee
        command.cash = cash
        command.exchange = single["--exchange"] ?? BacktestCommand.defaultExchange
        command.exchangeParams = exchangeParams
        command.json = flags.contains("--json")
        command.report = single["--report"]
        command.quiet = flags.contains("--quiet")
        command.paper = flags.contains("--paper")
        command.paceMs = paceMs
        // ArgumentParser validates what it parses: a command that fails is left to it to word.
        guard (try? command.validate()) != nil else { return nil }
        return command
    }

    static let flagNames: Set<String> = ["--json", "--quiet", "--paper"]
    static let optionNames: Set<String> = [
        "--data", "--format", "--strategy", "--param", "--symbol", "--fee", "--cash", "--exchange", "--exchange-param",
        "--report", "--pace-ms",
    ]
}
