import ATSBacktestCLI
import ATSEngine
import ATSShared
import ArgumentParser
import Foundation

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Create, inspect and control trading jobs.",
        subcommands: [
            Create.self, List.self, Show.self, Start.self, Stop.self, Reload.self, Delete.self, Fills.self,
            Orders.self, Divergence.self, Checkpoints.self, Events.self, Wait.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a job from a JSON or YAML file (- for stdin) or from flags.",
            discussion: """
                ats job create --file job.json
                ats job create --name btc-sma --data data/btc.csv --strategy sma_cross --param fast=10 --param slow=30
                """)

        @OptionGroup var connection: ConnectionOptions
        @Option(name: .shortAndLong, help: "Job spec file (JSON, or YAML by .yaml/.yml or content), or - for stdin.")
        var file: String?
        @Option(help: "Job name.") var name: String?
        @Option(help: "backtest or paper.") var mode: String = "backtest"
        @Option(help: "Bar file the worker reads.") var data: String?
        @Option(help: "A data set registered with ats data add (instead of --data).") var dataSet: String?
        @Option(help: "Strategy name.") var strategy: String?
        @Option(name: .customLong("param"), help: "Strategy parameter name=value (repeat).") var params: [String] = []
        @Option(help: "Symbol BASE/QUOTE.") var symbol: String = "BTC/USDT"
        @Option(help: "Fee model NAME[:param=value,...].") var fee: String = "generic:taker=0.001"
        @Option(help: "Starting quote balance.") var cash: Double = 100_000
        @Option(name: .customLong("label"), help: "Worker label required (repeat).") var labels: [String] = []
        @Option(help: "Exchange (venue rules and fill policy).") var exchange: String = "simulated"
        @Option(name: .customLong("exchange-param"), help: "Exchange parameter name=value (repeat).")
        var exchangeParams: [String] = []
        @Option(help: "Bars between checkpoints.") var checkpointEvery: Int = JobSpec.defaultCheckpointEvery
        @Option(help: "Paper mode: milliseconds per bar (0: the data's own interval).") var paceMs: Int = 0
        @Option(
            help:
                "Paper mode on a live market instead of --data: the venue's endpoint (production, testnet, local:PORT or a URL); the symbol is --symbol without its slash."
        )
        var market: String?
        @Option(help: "With --market: the candle interval the job trades on (1s, 1m, 5m, 1h, ...).") var interval = "1m"
        @Option(help: "A live job (--mode live): the venue credential's name (ats credentials add).") var credentials:
            String?
        @Option(
            name: .customLong("risk"),
            help: ArgumentHelp(
                "A live job's risk limit, NAME=VALUE (repeatable): \(RiskLimits.names.joined(separator: ", ")).",
                valueName: "limit"))
        var risk: [String] = []
        @Option(help: "A live job, when its worker is lost: resume (default), flatten, or hold.") var onWorkerLost:
            String?

        func run() async throws {
            try await reportingErrors {
                let body: Data
                if let file {
                    let raw = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try readFile(file)
                    body = try SpecFile.json(from: raw, name: file)
                } else {
                    guard let name, data != nil || dataSet != nil || market != nil, let strategy else {
                        throw CLIError.usage(
                            "give --file, or --name, --data (or --data-set, or --market) and --strategy")
                    }
                    guard data == nil || dataSet == nil else {
                        throw CLIError.usage("give --data (a file on the workers) or --data-set, not both")
                    }
                    guard let jobMode = JobMode(rawValue: mode) else {
                        throw CLIError.invalid("--mode: expected backtest, paper or live, got \"\(mode)\"")
                    }
                    let spec = JobSpec(
                        name: name, mode: jobMode, labels: labels,
                        data: dataSet.map { DataSource(set: $0) } ?? DataSource(path: data ?? ""),
                        run: try RunSpecFlags.runSpec(
                            strategy: strategy, params: params, symbol: symbol, fee: fee, cash: cash,
                            exchangeParams: exchangeParams, exchange: exchange),
                        checkpointEvery: checkpointEvery, paperPaceMs: paceMs,
                        market: market.map {
                            MarketSource(
                                endpoint: $0, symbol: symbol.replacingOccurrences(of: "/", with: ""), interval: interval
                            )
                        }, credentials: credentials, risk: try Self.limits(risk),
                        onWorkerLost: try onWorkerLost.map {
                            guard let p = WorkerLossPolicy(rawValue: $0) else {
                                throw CLIError.invalid(
                                    "--on-worker-lost: expected resume, flatten or hold, got \"\($0)\"")
                            }
                            return p
                        })
                    body = spec.json()
                }
                try await connection.jobRequest("POST", "api/jobs", body: body) {
                    "created job \($0.id) \($0.name) (\($0.status.rawValue))"
                }
            }
        }

        /// `--risk max_position=0.05 --risk max_daily_loss=100` as limits (nil: none given).
        static func limits(_ pairs: [String]) throws -> RiskLimits? {
            guard !pairs.isEmpty else { return nil }
            var limits = RiskLimits()
            for pair in pairs {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw CLIError.invalid("--risk: expected NAME=VALUE, got \"\(pair)\"") }
                do {
                    try limits.set(parts[0], parts[1])
                } catch {
                    throw CLIError.invalid("--risk: \(error)")
                }
            }
            return limits
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only jobs with this status.") var status: String?

        func run() async throws {
            try await reportingErrors {
                let path = "api/jobs" + (status.map { "?status=\($0)" } ?? "")
                let jobs = try await connection.client().get(path, as: [JobRecord].self)
                if connection.json { return try printJSON(jobs) }
                // The result beside what holding the asset made over the same bars: a strategy
                // that lost 40% while the market lost 80% did its job.
                var table = Table(
                    "ID", "NAME", "MODE", "STATUS", "PROGRESS", "WORKER", "EPOCH", "TRADES", "EQUITY", "RETURN",
                    "BUY&HOLD", "SHARPE", "MAX DD")
                for j in jobs {
                    let s = j.statistics
                    table.add(
                        String(j.id), j.name, j.mode, j.shownStatus, j.progress.percent(1), j.leaseOwner ?? "-",
                        String(j.epoch), s.map { String($0.roundTrips) } ?? "-",
                        (s?.finalEquity ?? j.equity).map { $0.fixed(2) } ?? "-",
                        s.map { $0.totalReturn.percent(1) } ?? "-",
                        s.map { $0.buyAndHoldReturn.percent(1) } ?? "-", s.map { $0.sharpe.fixed(2) } ?? "-",
                        s.map { $0.maxDrawdown.percent(1) } ?? "-")
                }
                print(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job (id or name).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String

        func run() async throws {
            try await reportingErrors {
                let j = try await connection.client().get("api/jobs/\(job)", as: JobRecord.self)
                if connection.json { return try printJSON(j) }
                var lines = [
                    "job         \(j.id) \(j.name)", "mode        \(j.mode)",
                    "status      \(j.shownStatus) (wants \(j.desiredState.rawValue))",
                    j.spec?.market != nil
                        ? "progress    \(j.barsDone) candles traded (live market)"
                        : "progress    \(j.progress.percent(1)) (\(j.barsDone)/\(j.barsTotal) bars)",
                    "worker      \(j.leaseOwner ?? "-") epoch \(j.epoch)",
                ]
                if let why = j.waitingFor { lines.append("WAITING     \(why)") }
                if let halt = j.haltReason {
                    lines.append("KILLED      \(halt): places nothing until released (ats kill --release \(j.name))")
                }
                if let spec = j.spec {
                    let config = spec.run.strategy.config.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    lines.append(
                        "strategy    \(spec.run.strategy.namespace) \(config.joined(separator: " ")) (revision \(j.specRevision))"
                    )
                    if let m = spec.market {
                        lines.append("market      \(m.venue) \(m.endpoint) \(m.symbol) \(m.interval) candles")
                        if let risk = spec.risk { lines.append("risk        \(risk.summary)") }
                        if let policy = spec.onWorkerLost { lines.append("if lost     \(policy.rawValue)") }
                    } else {
                        lines.append("data        \(spec.data.label)")
                    }
                } else {
                    lines.append("definition  unreadable: \(j.specError ?? "?")")
                }
                if let e = j.lastError { lines.append("error       \(e)") }
                if let s = j.statistics {
                    lines.append(contentsOf: StatisticsText.lines(s))
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "Start a stopped or failed job (it resumes from its last checkpoint).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String
        func run() async throws { try await action(connection, "start", job) }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop", abstract: "Stop a job (its worker checkpoints it first).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String
        func run() async throws { try await action(connection, "stop", job) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a job that is not running, with its fills and checkpoints.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String

        func run() async throws {
            try await reportingErrors {
                try await connection.jobRequest("DELETE", "api/jobs/\(job)") { "deleted job \($0.id) \($0.name)" }
            }
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reload",
            abstract: "Replace a job's strategy configuration; a running job switches at once, keeping its portfolio.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String
        @Option(name: .customLong("param"), help: "Strategy parameter name=value (repeat); unset ones take defaults.")
        var params: [String] = []

        func run() async throws {
            try await reportingErrors {
                let config: [String: ParameterValue]
                do { config = try Parameters.parseAssignments(params) } catch let e as SpecError {
                    throw CLIError.invalid(e.description)
                }
                let body = try JSONEncoder().encode(["config": config])
                try await connection.jobRequest("POST", "api/jobs/\(job)/reload", body: body) {
                    "reloaded job \($0.id) \($0.name) (\($0.status.rawValue))"
                }
            }
        }
    }

    struct Fills: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fills", abstract: "List a job's fills in sequence order.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String
        @Option(help: "Only fills with a sequence number above this.") var after: Int64 = -1
        @Option(help: "At most this many.") var limit: Int = 1000

        func run() async throws {
            try await reportingErrors {
                let fills = try await connection.client().get(
                    "api/jobs/\(job)/fills?after=\(after)&limit=\(limit)", as: [FillRow].self)
                if connection.json { return try printJSON(fills) }
                var table = Table("SEQ", "TIME", "SIDE", "PRICE", "QUANTITY", "FEE", "LIQ", "TAG", "EPOCH")
                for f in fills {
                    table.add(
                        String(f.seq), Timestamp.format(f.timeMs), f.side, f.price.fixed(4), f.quantity.fixed(6),
                        (f.feeQuote + f.feeBase * f.price).fixed(4), f.liquidity, f.tag, String(f.epoch))
                }
                print(table.render())
            }
        }
    }

    struct Orders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "orders",
            abstract: "List a live job's orders: each intent as written before it was sent, and its outcome.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String

        func run() async throws {
            try await reportingErrors {
                let orders = try await connection.client().get("api/jobs/\(job)/orders", as: [OrderRecord].self)
                if connection.json { return try printJSON(orders) }
                var table = Table(
                    "CLIENT ORDER ID", "EPOCH", "SIDE", "TYPE", "QUANTITY", "PRICE", "STATE", "VENUE ID", "WHY")
                for o in orders {
                    table.add(
                        o.clientOrderId, String(o.epoch), o.side, o.orderType, o.quantity,
                        o.price.isEmpty ? "-" : o.price,
                        o.state, o.venueOrderId.map(String.init) ?? "-",
                        o.code.map { "\($0) \(o.message ?? "")" } ?? "")
                }
                print(table.render())
            }
        }
    }

    struct Checkpoints: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoints", abstract: "List a job's checkpoints.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String

        func run() async throws {
            try await reportingErrors {
                let cps = try await connection.client().get("api/jobs/\(job)/checkpoints", as: [CheckpointRecord].self)
                if connection.json { return try printJSON(cps) }
                var table = Table("CURSOR", "NEXT_FILL_SEQ", "EPOCH", "BYTES", "PLAIN_BYTES", "CREATED")
                for c in cps {
                    table.add(
                        String(c.cursor), String(c.nextFillSeq), String(c.epoch), String(c.bytes),
                        String(c.plainBytes ?? c.bytes), "\(c.createdAt)")
                }
                print(table.render())
            }
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "events", abstract: "Show the audit trail of one job, or of all.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name (all jobs when absent).") var job: String?

        func run() async throws {
            try await reportingErrors {
                let events = try await connection.client().get(
                    job.map { "api/jobs/\($0)/events" } ?? "api/events", as: [JobEvent].self)
                if connection.json { return try printJSON(events) }
                var table = Table("TIME", "JOB", "ACTOR", "EVENT", "DETAIL")
                for e in events {
                    table.add("\(e.at)", e.jobId.map { "\($0) \(e.jobName)" } ?? e.jobName, e.actor, e.kind, e.detail)
                }
                print(table.render())
            }
        }
    }
}

extension JobCommand {
    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wait",
            abstract: "Wait until jobs finish (all jobs when none is named). Exits 1 if any failed, 8 on timeout.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job ids or names.") var jobs: [String] = []
        @Option(help: "Seconds to wait at most.") var timeout: Double = 3600

        func run() async throws {
            try await reportingErrors {
                let client = try connection.client()
                let deadline = Date().addingTimeInterval(timeout)
                while true {
                    let all = try await client.get("api/jobs", as: [JobRecord].self)
                    let watched =
                        jobs.isEmpty ? all : all.filter { jobs.contains(String($0.id)) || jobs.contains($0.name) }
                    if !jobs.isEmpty && watched.count < Set(jobs).count {
                        throw CLIError.api(status: 404, message: "some of \(jobs) do not exist", field: nil)
                    }
                    if watched.allSatisfy({ $0.status.isTerminal || $0.desiredState == .stopped && !$0.status.isActive }
                    ) {
                        if connection.json { try printJSON(watched) }
                        if watched.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
                        return
                    }
                    if Date() > deadline { throw ExitCode(8) }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
        }
    }
}

private func action(_ connection: ConnectionOptions, _ verb: String, _ job: String) async throws {
    try await reportingErrors {
        try await connection.jobRequest("POST", "api/jobs/\(job)/\(verb)") {
            "\(verb) job \($0.id) \($0.name): \($0.status.rawValue)"
        }
    }
}

func readFile(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.invalid("cannot read \(path)") }
    return data
}
