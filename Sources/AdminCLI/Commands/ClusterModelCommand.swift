import ATSBacktestCLI
import ATSShared
import ArgumentParser
import Foundation

/// `ats model add/list/show/rm --cluster`: trained models registered with the cluster, by content
/// hash, fetched by the workers whose jobs run them (docs/MODELS.md). Without `--cluster`, `ats
/// model` works on this machine's models.
struct ClusterModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "The cluster's trained models (with --cluster).",
        subcommands: [Add.self, List.self, Show.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Register an ONNX model with the cluster.",
            discussion: """
                ats model add lstm.onnx --name btc-lstm --cluster
                The coordinator reads the model (an operator the executor does not run is refused, by name) and \
                stores it under the XXH3 hash of its bytes. A job's strategy that runs a model names it \
                (`--param name=btc-lstm`) and is pinned to that hash when created; workers fetch it.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The .onnx file.") var file: String
        @Option(help: "The model's name (default: the file's name without .onnx).") var name: String?
        @Flag(help: "On the cluster (the coordinator), not this machine.") var cluster = false

        func run() async throws {
            try await reportingErrors {
                let url = URL(fileURLWithPath: file)
                let data: Data
                do { data = try Data(contentsOf: url) } catch {
                    throw CLIError.invalid("cannot read \(file): \((error as NSError).localizedDescription)")
                }
                var query = URLComponents()
                query.queryItems = [
                    URLQueryItem(name: "name", value: name ?? url.deletingPathExtension().lastPathComponent)
                ]
                let reply = try await connection.client().send(
                    "POST", "api/models?\(query.percentEncodedQuery ?? "")", body: data,
                    contentType: "application/octet-stream", timeout: 120)
                let record = try JSONCoding.decoder().decode(ModelRecord.self, from: reply)
                if connection.json { return try printJSON(record) }
                print("model \(record.name): \(record.hash), \(record.bytes) bytes, \(record.summary.weights) weights")
                print(record.summary.text, terminator: "")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the cluster's models.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "On the cluster.") var cluster = false

        func run() async throws {
            try await reportingErrors {
                let all = try await connection.client().get("api/models", as: [ModelRecord].self)
                if connection.json { return try printJSON(all) }
                var table = Table("NAME", "HASH", "BYTES", "WEIGHTS", "INPUTS", "JOBS")
                for m in all {
                    table.add(
                        m.name, m.hash, "\(m.bytes)", "\(m.summary.weights)", m.summary.inputs.joined(separator: "; "),
                        "\(m.jobs.count)")
                }
                print(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "One model and the jobs that run it.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Its name or hash.") var model: String
        @Flag(help: "On the cluster.") var cluster = false

        func run() async throws {
            try await reportingErrors {
                let m = try await connection.client().get("api/models/\(model)", as: ModelRecord.self)
                if connection.json { return try printJSON(m) }
                print("model \(m.name)\nhash \(m.hash)\nbytes \(m.bytes), added by \(m.createdBy)")
                print(m.summary.text, terminator: "")
                print("jobs " + (m.jobs.isEmpty ? "none" : m.jobs.joined(separator: ", ")))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a model no job runs.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Its name or hash.") var model: String
        @Flag(help: "On the cluster.") var cluster = false

        func run() async throws {
            try await reportingErrors {
                _ = try await connection.client().send("DELETE", "api/models/\(model)", body: nil)
                print("removed \(model)")
            }
        }
    }
}
