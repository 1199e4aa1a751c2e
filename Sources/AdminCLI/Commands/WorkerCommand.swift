import ATSShared
import ArgumentParser

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Inspect workers.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workers the coordinator knows.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await reportingErrors {
                let workers = try await connection.client().get("api/workers", as: [WorkerRecord].self)
                if connection.json { return try printJSON(workers) }
                var table = Table("ID", "HOST", "CONNECTED", "JOBS", "CAPACITY", "LABELS", "LAST HEARTBEAT")
                for w in workers {
                    table.add(
                        w.id, w.host, w.connected ? "yes" : "no", String(w.runningJobs), String(w.capacity),
                        w.labels.joined(separator: ","), "\(w.lastHeartbeatAt)")
                }
                print(table.render())
            }
        }
    }
}
