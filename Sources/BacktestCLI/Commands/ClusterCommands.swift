import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The cluster commands, run by the `ats-admin` executable next to `ats`: it links the network
/// and database clients, which this one leaves out so that a backtest starts in milliseconds
/// (the way `git` hands `git foo` to `git-foo`). `ats` hands the whole command line over before
/// parsing anything (``handOver(_:)``); the types here only list the commands in `ats --help`.
public enum ClusterCommands {
    /// The first words handed over.
    public static let names: Set<String> = ["job", "worker", "user", "credentials", "kill", "db"]

    /// Replaces this process with `ats-admin` when `arguments` (the whole command line) is a
    /// cluster command; returns only when it is not one. Exits 1 with the reason when
    /// `ats-admin` cannot be run.
    public static func handOver(_ arguments: [String]) {
        // `ats job …`, and `ats help job …` (the help is the real command's).
        let word =
            arguments.count > 2 && arguments[1] == "help" ? arguments[2] : arguments.count > 1 ? arguments[1] : ""
        // `ats data download` needs the network, and the data sets are the cluster's: they are
        // ats-admin's too (the rest of `data` is not).
        let download =
            word == "data" && ["download", "add", "list", "show", "rm"].contains(arguments.dropFirst(2).first ?? "")
        // `ats sweep run` searches on this machine; the rest of `sweep` is the cluster's.
        let clusterSweep =
            word == "sweep"
            && ["create", "list", "show", "top", "heatmap", "report", "pause", "resume", "cancel", "rm", "ledger"]
                .contains(
                    arguments.dropFirst(2).first ?? "")
        // `ats backtest --from-trial S/T` runs a sweep's trial from the cluster's definition.
        let fromTrial =
            word == "backtest" && arguments.contains { $0 == "--from-trial" || $0.hasPrefix("--from-trial=") }
        // `ats model … --cluster`: the cluster's models (without it, this machine's).
        let clusterModel = word == "model" && arguments.contains("--cluster")
        guard names.contains(word) || download || clusterSweep || fromTrial || clusterModel else { return }
        let admin = executableDirectory() + "/ats-admin"
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv(admin, argv)
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(
            Data(
                "error: `ats \(word)` is run by \(admin) (\(reason)); install ats-admin next to ats\n".utf8))
        exit(1)
    }

    /// The directory of the running executable (symbolic links resolved).
    static func executableDirectory() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { readlink("/proc/self/exe", $0.baseAddress!, $0.count - 1) }
        let path = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : CommandLine.arguments[0]
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// Reached only when a cluster command was not handed over first (a caller of
    /// `ATSCommand.main` that skipped ``handOver(_:)``): hands it over now.
    static func run(_ name: String, _ rest: [String]) -> Never {
        handOver(["ats", name] + rest)
        fatalError("unreachable: \(name) is a cluster command")
    }

    public struct Job: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "job", abstract: "Create, inspect and control trading jobs.")
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() { ClusterCommands.run("job", rest) }
    }

    public struct Worker: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "worker", abstract: "Inspect and drain workers.")
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() { ClusterCommands.run("worker", rest) }
    }

    public struct User: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "user", abstract: "Manage the web dashboard's users.")
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() { ClusterCommands.run("user", rest) }
    }

    public struct Credentials: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "credentials", abstract: "Manage venue API keys (stored encrypted).")
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() { ClusterCommands.run("credentials", rest) }
    }

    public struct Kill: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "kill", abstract: "The kill switch: cancel live jobs' open orders and stop them.")
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() { ClusterCommands.run("kill", rest) }
    }

    /// `ats data download`, listed under `ats data`.
    public struct DataDownload: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "download", abstract: "Download a symbol's candles from a venue into a bar file.")
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() {
            handOver(["ats", "data", "download"] + rest)
            fatalError("unreachable: data download is handed over")
        }
    }

    /// `ats data add/list/show/rm`: the cluster's data sets (handed over to ats-admin).
    public struct DataSet: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a bar file with the cluster as a data set (ats data add FILE --name N).",
            aliases: ["list", "show", "rm"])
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() {
            // The command line as typed: which of add, list, show or rm it was.
            handOver(CommandLine.arguments)
            fatalError("unreachable: data sets are handed over")
        }
    }

    public struct DB: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "db", abstract: "Database maintenance.")
        @Argument(parsing: .allUnrecognized) var rest: [String] = []
        public init() {}
        public func run() { ClusterCommands.run("db", rest) }
    }
}
