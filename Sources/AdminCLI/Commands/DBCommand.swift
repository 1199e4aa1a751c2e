import ATSBacktestCLI
import ATSDatabase
import ATSShared
import ArgumentParser
import Logging
import PostgresNIO

struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Database maintenance.", subcommands: [Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Apply pending schema migrations (DATABASE_URL). Safe to run twice: applied ones are skipped.")

        func run() async throws {
            try await reportingErrors {
                guard let url = Environment()["DATABASE_URL"] else { throw CLIError.usage("DATABASE_URL is not set") }
                let logger = Logger(label: "ats.db")
                let client = PostgresClient(configuration: try DatabaseURL.configuration(url), backgroundLogger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await client.run() }
                    defer { group.cancelAll() }
                    let applied = try await Migrator(client: client, logger: logger).migrate()
                    print(
                        applied.isEmpty
                            ? "schema is current (\(Migrations.all.count) migrations)"
                            : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
                }
            }
        }
    }
}
