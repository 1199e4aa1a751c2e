import ATSBacktestCLI
import ATSShared
import ArgumentParser

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Inspect and drain workers.",
        subcommands: [List.self, Drain.self, Undrain.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List workers the coordinator knows.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await reportingErrors {
                let workers = try await connection.client().get("api/workers", as: [WorkerRecord].self)
                if connection.json { return try printJSON(workers) }
                // WAITING: handed over, not started (a sweep chunk held for the next free slot).
                var table = Table(
                    "ID", "HOST", "CONNECTED", "DRAINED", "RUNNING", "WAITING", "CAPACITY", "LABELS", "LAST HEARTBEAT")
                for w in workers {
                    table.add(
                        w.id, w.host, w.connected ? "yes" : "no", w.draining ? "yes" : "no", String(w.runningJobs),
                        String(w.assignedJobs), String(w.capacity), w.labels.joined(separator: ","),
                        "\(w.lastHeartbeatAt)")
                }
                print(table.render())
            }
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drain",
            abstract: "Drain a worker: it takes no new job, and its jobs checkpoint and move to other workers.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Worker id.") var worker: String

        func run() async throws {
            try await reportingErrors { try await WorkerCommand.drain(connection, worker, "drain") }
        }
    }

    struct Undrain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "undrain", abstract: "Let a drained worker take jobs again.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Worker id.") var worker: String

        func run() async throws {
            try await reportingErrors { try await WorkerCommand.drain(connection, worker, "undrain") }
        }
    }

    static func drain(_ connection: ConnectionOptions, _ worker: String, _ verb: String) async throws {
        let data = try await connection.client().send("POST", "api/workers/\(worker)/\(verb)")
        let record = try JSONCoding.decoder().decode(WorkerRecord.self, from: data)
        if connection.json { return try printJSON(record) }
        let waiting = record.assignedJobs > 0 ? ", \(record.assignedJobs) waiting to start" : ""
        print(
            "worker \(record.id): \(record.draining ? "drained" : "takes jobs"), \(record.runningJobs) job(s) running\(waiting)"
        )
    }
}
