import ArgumentParser

/// Options every command that talks to the coordinator takes.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Coordinator admin API URL (default: ATS_URL or http://127.0.0.1:8080).")
    var url: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func client() throws -> APIClient { try APIClient(url: url) }
}
