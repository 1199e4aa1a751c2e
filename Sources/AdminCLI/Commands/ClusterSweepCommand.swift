import ATSBacktestCLI
import ATSEngine
import ATSShared
import ArgumentParser
import Foundation

/// `ats sweep create|list|show|top|pause|resume|cancel`: parameter sweeps on the cluster
/// (docs/SWEEPS.md). `ats sweep run` (this machine) stays with `ats`.
struct ClusterSweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep", abstract: "Parameter sweeps on the cluster: trials in chunks on every free worker.",
        subcommands: [
            Create.self, List.self, Show.self, Top.self, Heatmap.self, Report.self, Pause.self, Resume.self,
            Cancel.self, Remove.self, Ledger.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a sweep from flags or a JSON or YAML file (- for stdin).",
            discussion: """
                ats sweep create --name s1 --data-set btc-1m --strategy sma_cross \\
                    --param fast=int:5..50:5 --param slow=int:20..200:10 --where 'fast < slow' \\
                    --search grid --objective sharpe:max
                Ranges and conditions as for ats sweep run. Its trials run in chunks (jobs of the sweep,
                hidden from ats job list) on any worker; ats sweep top s1 ranks them as they come in.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(name: .shortAndLong, help: "Sweep spec file (JSON, or YAML by .yaml/.yml or content), or - for stdin.")
        var file: String?
        @Option(help: "Sweep name.") var name: String?
        @Option(help: "Bar file the workers read.") var data: String?
        @Option(help: "A data set registered with ats data add (instead of --data).") var dataSet: String?
        @Option(name: .customLong("label"), help: "Worker label required (repeat).") var labels: [String] = []
        @Option(help: "Trials a chunk holds (0: chosen from the data's length).") var chunkTrials: Int = 0
        @Option(
            help:
                "Worker slots the last chunks are cut smaller for, so the last round is short (0: none; default: the slots of the connected workers that can run it, or 8 when none can)."
        ) var tailSlots: Int?
        @OptionGroup var sweep: SweepFlags

        func run() async throws {
            try await reportingErrors {
                let body: Data
                if let file {
                    let raw = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try readFile(file)
                    body = try SpecFile.json(from: raw, name: file)
                } else {
                    guard let name, data != nil || dataSet != nil else {
                        throw CLIError.usage("give --file, or --name, --data (or --data-set) and --strategy")
                    }
                    guard data == nil || dataSet == nil else {
                        throw CLIError.usage("give --data (a file on the workers) or --data-set, not both")
                    }
                    let (plan, objective, run, walkForward, earlyStop) = try sweep.parsed()
                    body = SweepSpec(
                        name: name, labels: labels,
                        data: dataSet.map { DataSource(set: $0) } ?? DataSource(path: data ?? ""), run: run,
                        plan: plan, objective: objective, walkForward: walkForward, chunkTrials: chunkTrials,
                        earlyStop: earlyStop, tailSlots: tailSlots
                    ).json()
                }
                try await connection.request("POST", "api/sweeps", body: body, as: SweepRecord.self) {
                    "created sweep \($0.id) \($0.name): \($0.trials) trials in \($0.chunks) chunks"
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List sweeps.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await reportingErrors {
                let sweeps = try await connection.client().get("api/sweeps", as: [SweepRecord].self)
                if connection.json { return try printJSON(sweeps) }
                var table = Table("ID", "NAME", "STATE", "TRIALS", "DONE", "CHUNKS", "RUNNING", "FAILED", "CREATED")
                for s in sweeps {
                    table.add(
                        String(s.id), s.name, s.state, String(s.trials),
                        (Double(s.trialsDone) / Double(max(1, s.trials))).percent(1), "\(s.chunksDone)/\(s.chunks)",
                        String(s.chunksRunning), String(s.chunksFailed), s.createdAt.formatted(.iso8601))
                }
                print(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a sweep: its definition, its progress and its ten best trials.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String

        func run() async throws {
            try await reportingErrors {
                let client = try connection.client()
                let s = try await client.get("api/sweeps/\(sweep)", as: SweepRecord.self)
                let report = try await client.get("api/sweeps/\(sweep)/report?top=10", as: SweepReport.self)
                if connection.json { return try printJSON(Both(sweep: s, report: report)) }
                var lines = [
                    "sweep       \(s.id) \(s.name)", "state       \(s.state)",
                    "progress    \(s.trialsDone)/\(s.trials) trials, \(s.chunksDone)/\(s.chunks) chunks"
                        + " (\(s.chunksRunning) running, \(s.chunksFailed) failed)",
                ]
                if let why = s.waitingFor { lines.append("WAITING     \(why)") }
                if s.chunksFailed > 0 && s.state != "completed" {
                    lines.append(
                        "            \(s.chunksFailed) chunks failed (ats job show \(s.name):N says why)"
                            + (s.spec?.plan.search == .tpe ? ": the next batch waits for them;" : ";")
                            + " ats sweep resume \(s.name) runs them again")
                }
                if let spec = s.spec {
                    let fixed = spec.run.strategy.config.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    lines.append("strategy    \(spec.run.strategy.namespace) \(fixed.joined(separator: " "))")
                    lines.append(
                        "search      \(spec.plan.search.rawValue) over \(spec.plan.params.joined(separator: " "))"
                            + (spec.plan.condition.map { " where \($0)" } ?? "")
                            + (spec.plan.search == .grid ? "" : ", seed \(spec.plan.seed)")
                            + (spec.plan.search == .tpe ? ", \(spec.plan.inFlight) trials a batch" : ""))
                    lines.append("objective   \(spec.objective)")
                    lines.append("data        \(spec.data.label)")
                }
                print(lines.joined(separator: "\n"))
                if report.trials > 0 { print("\n" + SweepReportText.render(report, top: 10)) }
            }
        }

        struct Both: Encodable {
            var sweep: SweepRecord
            var report: SweepReport
        }
    }

    struct Top: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "top",
            abstract: "The sweep's best trials so far, with the Deflated Sharpe Ratio, PBO and MinBTL beside the best.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String
        @Option(name: .short, help: "Trials to list.") var n: Int = 20

        func run() async throws {
            try await reportingErrors {
                let report = try await connection.client().get(
                    "api/sweeps/\(sweep)/report?top=\(n)", as: SweepReport.self)
                if connection.json { return try printJSON(report) }
                print(SweepReportText.render(report, top: n))
            }
        }
    }

    struct Heatmap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "heatmap",
            abstract: "The best objective over two parameters (in sample, and out of sample with walk-forward).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String
        @Option(help: "The parameter across.") var x: String
        @Option(help: "The parameter down.") var y: String

        func run() async throws {
            try await reportingErrors {
                let query =
                    "x=\(x.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? x)"
                    + "&y=\(y.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? y)"
                let map = try await connection.client().get(
                    "api/sweeps/\(sweep)/heatmap?\(query)", as: SweepHeatmapReport.self)
                if connection.json { return try printJSON(map) }
                print(Self.render(map, map.in_sample, title: "\(map.objective), in sample (the whole span)"))
                if let oos = map.out_of_sample {
                    print(
                        "\n" + Self.render(map, oos, title: "\(map.objective), out of sample (the test windows joined)")
                    )
                }
            }
        }

        static func render(_ map: SweepHeatmapReport, _ cells: [[Double?]], title: String) -> String {
            var table = Table("\(map.y) \\ \(map.x)")
            table.headers = ["\(map.y) \\ \(map.x)"] + map.xs.map(\.description)
            for (r, y) in map.ys.enumerated() {
                table.add([y.description] + cells[r].map { $0.map { $0.fixed(2) } ?? "·" })
            }
            return title + "\n" + table.render()
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pause", abstract: "Start no new chunk (the running ones finish).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String
        func run() async throws { try await act(connection, "pause", sweep) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume", abstract: "Run the chunks not done (paused, cancelled or failed) again.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String
        func run() async throws { try await act(connection, "resume", sweep) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Start no new chunk and stop the running ones (resume continues).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String
        func run() async throws { try await act(connection, "cancel", sweep) }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write a sweep's report as one HTML file (leaderboard, luck statistics, best equity, heatmap).",
            discussion: """
                ats sweep report s1 --out s1.html [--top 50]
                The file needs nothing else to open: the definition, DSR / PSR / PBO / MinBTL and the research
                ledger's DSR (in red when they say the best may be luck), the best trial's equity beside buy
                and hold (run again on the coordinator from the sweep's data set, checked bit for bit), the
                leaderboard, the walk-forward folds, the first two parameters' heatmap in and out of sample.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String
        @Option(help: "The HTML file to write.") var out: String
        @Option(help: "Trials in the leaderboard (1 to 1,000).") var top: Int = 50
        func run() async throws {
            try await reportingErrors {
                let html = try await connection.client().send(
                    "GET", "api/sweeps/\(sweep)/report.html?top=\(top)", timeout: 600)
                do { try html.write(to: URL(fileURLWithPath: out)) } catch {
                    throw CLIError.invalid("cannot write \(out): \(error.localizedDescription)")
                }
                print("wrote \(out) (\(html.count / 1024) KB)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove a sweep, its chunks and their results (none of its chunks running).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Sweep name or id.") var sweep: String
        func run() async throws {
            try await reportingErrors {
                try await connection.request("DELETE", "api/sweeps/\(sweep)", as: SweepRecord.self) {
                    "removed sweep \($0.name) (\($0.trialsDone) of \($0.trials) trials done)"
                }
            }
        }
    }

    struct Ledger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger",
            abstract: "The research ledger: every trial run per strategy and data, which deflates each best.",
            discussion: """
                ats sweep ledger [--json]
                ats sweep ledger --reset --strategy strategies:sma_cross --data xxh3:...   (admins; audited)
                The deflated Sharpe ratio beside a sweep's best counts every trial the ledger holds for
                its strategy and data, not just that sweep's: resetting forgets them.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Forget the row of --strategy and --data.") var reset = false
        @Option(help: "With --reset: the strategy, as the ledger lists it.") var strategy: String?
        @Option(help: "With --reset: the data, as the ledger lists it (a hash, or file:PATH).") var data: String?

        func run() async throws {
            try await reportingErrors {
                if reset {
                    guard let strategy, let data else {
                        throw CLIError.usage("--reset needs --strategy and --data (as ats sweep ledger lists them)")
                    }
                    var q = URLComponents()
                    q.queryItems = [
                        URLQueryItem(name: "strategy", value: strategy), URLQueryItem(name: "data", value: data),
                    ]
                    try await connection.request(
                        "DELETE", "api/research-ledger?\(q.percentEncodedQuery ?? "")", as: ResearchLedgerEntry.self
                    ) {
                        "forgot \($0.trials) trials in \($0.sweeps) sweeps of \($0.strategy) on \($0.dataName ?? $0.data)"
                    }
                    return
                }
                let rows = try await connection.client().get("api/research-ledger", as: [ResearchLedgerEntry].self)
                if connection.json { return try printJSON(rows) }
                var table = Table("STRATEGY", "DATA", "SWEEPS", "TRIALS", "RAN", "SHARPE MEAN", "SHARPE SD", "UPDATED")
                for r in rows {
                    table.add(
                        r.strategy, r.dataName.map { "\($0) (\(r.data))" } ?? r.data, String(r.sweeps),
                        String(r.trials),
                        String(r.ran), r.sharpeMean.fixed(4), r.sharpeStandardDeviation.fixed(4),
                        r.updatedAt.formatted(.iso8601))
                }
                print(
                    rows.isEmpty
                        ? "the research ledger is empty: no sweep has been created since it was last reset"
                        : table.render())
            }
        }
    }

    static func act(_ connection: ConnectionOptions, _ action: String, _ sweep: String) async throws {
        try await reportingErrors {
            try await connection.request("POST", "api/sweeps/\(sweep)/\(action)", as: SweepRecord.self) {
                "sweep \($0.name): \($0.state) (\($0.trialsDone)/\($0.trials) trials)"
            }
        }
    }
}
