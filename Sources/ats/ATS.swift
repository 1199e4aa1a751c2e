import ATSBacktestCLI

/// The `ats` executable: the trader's commands run here; the cluster commands are handed to
/// `ats-admin` before anything is parsed.
@main
enum ATS {
    static func main() async {
        ClusterCommands.handOver(CommandLine.arguments)
        if await QuickStart.run(Array(CommandLine.arguments.dropFirst())) { return }
        await ATSCommand.main()
    }
}
