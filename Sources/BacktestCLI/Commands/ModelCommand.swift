import ATSCommon
import ATSModels
import ArgumentParser
import Foundation

/// `ats model add / list / show / rm`: trained ONNX models on this machine, by name and content
/// hash (`ATS_MODEL_DIR`, else `~/.ats/models`). A model is read when added: an operator the
/// executor does not run is refused then, by name.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Register and inspect trained ONNX models.",
        discussion: """
            ats model add lstm.onnx --name btc-lstm
            ats backtest --data btc.csv --strategy lstm --param name=btc-lstm --param window=60 \\
                --param features='close_return|rsi_14|volume_z'
            ats indicators --data btc.csv --indicator 'model:name=btc-lstm,window=60,features=close_return|rsi_14|volume_z'
            """,
        subcommands: [Add.self, List.self, Show.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Register an ONNX model file.")
        @Argument(help: "The .onnx file.") var file: String
        @Option(help: "The name jobs and indicators use (the file's name without .onnx when absent).") var name: String?
        @Flag(help: "Point an existing name at this model.") var replace = false

        func run() async throws {
            try await reportingErrors {
                let bytes: Data
                do { bytes = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                    throw CLIError.invalid("cannot read \(file): \(error.localizedDescription)")
                }
                let name = self.name ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                do {
                    let (entry, graph) = try ModelStore.local.add(bytes, name: name, replace: replace)
                    print(
                        "added \(entry.name) \(entry.hash) (\(entry.bytes) bytes) to \(ModelStore.local.directory.path)"
                    )
                    print(ModelSummary(graph).text, terminator: "")
                } catch let e as ModelError {
                    throw e.message.contains("is taken by")
                        ? CLIError.api(status: 409, message: e.message, field: nil)
                        : CLIError.invalid("\(file): \(e.message)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered models.")
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let entries = ModelStore.local.list()
            if json { return try printJSON(entries) }
            if entries.isEmpty {
                return print("no models in \(ModelStore.local.directory.path) (ats model add FILE --name NAME)")
            }
            var table = Table("NAME", "HASH", "BYTES", "ADDED")
            for e in entries {
                table.add(e.name, e.hash, String(e.bytes), ISO8601DateFormatter().string(from: e.added))
            }
            print(table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "A model's inputs, outputs, operators and weights.")
        @Argument(help: "A registered name, a hash (xxh3:…) or an .onnx file.") var model: String

        func run() async throws {
            try await reportingErrors {
                let isFile = model.hasSuffix(".onnx") && FileManager.default.fileExists(atPath: model)
                let resolved: (hash: String, graph: ONNXGraph)
                do {
                    resolved = try ModelLibrary.shared.resolve(
                        name: isFile || model.hasPrefix("xxh3:") ? nil : model, path: isFile ? model : nil,
                        hash: model.hasPrefix("xxh3:") ? model : nil)
                } catch let error as ModelError {
                    throw error.message.hasPrefix("no model named") || error.message.contains("not on this machine")
                        ? CLIError.api(status: 404, message: error.message, field: nil)
                        : CLIError.invalid(error.message)
                }
                print("model \(model)\nhash \(resolved.hash)")
                print(ModelSummary(resolved.graph).text, terminator: "")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a registered model.")
        @Argument(help: "Its name.") var name: String

        func run() async throws {
            try await reportingErrors {
                do { try ModelStore.local.remove(name: name) } catch let e as ModelError {
                    throw CLIError.api(status: 404, message: e.message, field: nil)
                }
                print("removed \(name)")
            }
        }
    }
}
