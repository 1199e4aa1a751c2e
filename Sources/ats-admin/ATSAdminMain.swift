import ATSAdminCLI

/// The `ats-admin` executable: the cluster commands, which `ats` hands over to it.
@main
enum ATSAdminMain {
    static func main() async {
        await AdminCommand.main()
    }
}
