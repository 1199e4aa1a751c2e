import ATSBacktestCLI
import ATSEngine
import ATSShared
import ArgumentParser
import Foundation

/// `ats data add/list/show/rm`: bar data registered with the cluster once, by content hash, and
/// fetched by the workers that lack it (docs/DATASETS.md).
enum DatasetCommands {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a bar file with the cluster as a data set that jobs name (data: {set: NAME}).",
            discussion: """
                ats data add btc-1m.csv --name btc-1m --symbol BTC/USDT
                The coordinator parses the file (CSV in the seed, plain or Binance format, or a catalog; an \
                error names the file and line), stores it once as the catalog under the XXH3 hash of those \
                bytes, and workers that lack it fetch it when a job needs it. A job names it with \
                `ats job create --data-set btc-1m` or `"data": {"set": "btc-1m"}`, and is pinned to that \
                hash when created.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The bar file.") var file: String
        @Option(help: "The set's name (default: the file's name without its extension).") var name: String?
        @Option(help: "Force the file's format: seed, plain, binance, catalog.") var format: String?
        @Option(help: "What the bars are of, like BTC/USDT (shown only).") var symbol: String?

        func run() async throws {
            try await reportingErrors {
                let url = URL(fileURLWithPath: file)
                let setName = name ?? url.deletingPathExtension().lastPathComponent
                if let problem = DataSource.setNameProblem(setName) { throw CLIError.invalid("--name \(problem)") }
                if let format, BarFormat(rawValue: format) == nil {
                    throw CLIError.invalid(
                        "--format: expected one of \(BarFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let data: Data
                do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
                    throw CLIError.invalid("cannot read \(file): \((error as NSError).localizedDescription)")
                }
                var query = URLComponents()
                query.queryItems = [
                    URLQueryItem(name: "name", value: setName),
                    URLQueryItem(name: "source", value: url.lastPathComponent),
                ]
                if let format { query.queryItems?.append(URLQueryItem(name: "format", value: format)) }
                if let symbol { query.queryItems?.append(URLQueryItem(name: "symbol", value: symbol)) }
                let reply = try await connection.client().send(
                    "POST", "api/datasets?\(query.percentEncodedQuery ?? "")", body: data,
                    contentType: "application/octet-stream", timeout: 600)
                let record = try JSONCoding.decoder().decode(DatasetRecord.self, from: reply)
                if connection.json { return try printJSON(record) }
                print(
                    "data set \(record.name): \(record.hash), \(record.rows) bars \(DatasetCommands.span(record)), \(DatasetCommands.size(record.bytes))"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the cluster's data sets.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await reportingErrors {
                let all = try await connection.client().get("api/datasets", as: [DatasetRecord].self)
                if connection.json { return try printJSON(all) }
                var table = Table("NAME", "HASH", "BARS", "FROM", "TO", "INTERVAL", "SIZE", "JOBS")
                for d in all {
                    table.add(
                        d.name, d.hash, "\(d.rows)", DataDownloadCommand.Download.iso(d.firstMs),
                        DataDownloadCommand.Download.iso(d.lastMs),
                        DatasetCommands.interval(d.intervalMs), DatasetCommands.size(d.bytes), "\(d.jobs.count)")
                }
                print(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a data set and the jobs that name it.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Name or hash.") var set: String

        func run() async throws {
            try await reportingErrors {
                let d = try await connection.client().get("api/datasets/\(set)", as: DatasetRecord.self)
                if connection.json { return try printJSON(d) }
                for (key, value) in [
                    ("name", d.name), ("hash", d.hash), ("bars", "\(d.rows)"),
                    ("span", DatasetCommands.span(d)), ("interval", DatasetCommands.interval(d.intervalMs)),
                    ("symbol", d.symbol ?? "—"), ("size", DatasetCommands.size(d.bytes)),
                    ("source", "\(d.source) (\(d.format))"), ("added", "\(d.createdAt) by \(d.createdBy)"),
                    ("sha256", d.sha256 ?? "—"),
                    (
                        "stored",
                        d.objectStoredAt.map { "in the object store \(d.objectStore ?? "") since \($0)" }
                            ?? "in PostgreSQL only"
                    ),
                    ("jobs", d.jobs.isEmpty ? "none" : d.jobs.joined(separator: ", ")),
                ] {
                    print(key.padding(toLength: 10, withPad: " ", startingAt: 0) + "  " + value)
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove a data set no job names (delete its jobs first).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Name or hash.") var set: String

        func run() async throws {
            try await reportingErrors {
                let reply = try await connection.client().send("DELETE", "api/datasets/\(set)")
                let d = try JSONCoding.decoder().decode(DatasetRecord.self, from: reply)
                print("data set \(d.name) removed (\(d.hash))")
            }
        }
    }

    static func span(_ d: DatasetRecord) -> String {
        "\(DataDownloadCommand.Download.iso(d.firstMs)) … \(DataDownloadCommand.Download.iso(d.lastMs))"
    }

    static func interval(_ ms: Int64) -> String {
        for (unit, length) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        where ms >= length && ms % length == 0 {
            return "\(ms / length)\(unit)"
        }
        return "\(ms)ms"
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : "\(bytes / 1_024) kB"
    }
}
