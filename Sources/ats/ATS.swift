import ATSAdmin

/// The `ats` executable: everything lives in ATSAdmin.
@main
enum ATS {
    static func main() async {
        await ATSCommand.main()
    }
}
