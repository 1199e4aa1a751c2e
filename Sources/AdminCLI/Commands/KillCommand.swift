import ATSBacktestCLI
import ATSShared
import ArgumentParser
import Foundation

/// `ats kill`: the kill switch (docs/LIVE.md "Kill switch").
struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Stop live trading at once: cancel a live job's open orders (or every live job's), then stop it.",
        discussion: """
            ats kill JOB [--flatten]        cancel JOB's open orders, optionally trade its position back \
            to its allocation, and stop it; it places nothing more until released
            ats kill --all [--flatten]      the same for every live job, and for any created while thrown
            ats kill --release JOB          let JOB trade again (then: ats job start JOB)
            ats kill --release --all        release the global switch (an admin)
            ats kill --status               whether the global switch is thrown
            The switch is stored: a restarted coordinator or worker keeps the jobs held.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The live job (name or id).") var job: String?
    @Flag(help: "Every live job.") var all = false
    @Flag(help: "Also trade each job's position back to its allocation (a market order).") var flatten = false
    @Flag(help: "Release instead of kill.") var release = false
    @Flag(help: "Show the global switch.") var status = false

    func validate() throws {
        guard status || (job == nil) != !all else {
            throw ValidationError("give a job, or --all (not both)")
        }
        if release && flatten { throw ValidationError("--flatten goes with a kill, not a release") }
    }

    func run() async throws {
        try await reportingErrors {
            let client = try connection.client()
            if status {
                let state = try await client.get("api/kill", as: KillSwitchState.self)
                if connection.json { return try printJSON(state) }
                print(Self.describe(state))
                return
            }
            let body = try JSONEncoder().encode(KillRequest(flatten: flatten))
            if let job {
                let path = "api/jobs/\(job.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? job)/kill"
                let data = try await client.send(release ? "DELETE" : "POST", path, body: release ? nil : body)
                let record = try JSONCoding.decoder().decode(JobRecord.self, from: data)
                if connection.json { return try printJSON(record) }
                if release {
                    print(
                        "job \(record.id) \(record.name) released: it may trade again once started (\(record.status.rawValue))"
                    )
                } else {
                    print(
                        "job \(record.id) \(record.name) killed: its open orders are being cancelled\(flatten ? ", its position flattened" : ""), then it stops (\(record.shownStatus))"
                    )
                }
                return
            }
            let data = try await client.send(release ? "DELETE" : "POST", "api/kill", body: release ? nil : body)
            let state = try JSONCoding.decoder().decode(KillSwitchState.self, from: data)
            if connection.json { return try printJSON(state) }
            if release {
                print("global kill switch released: live jobs it held may trade again once started")
            } else {
                print(
                    "global kill switch thrown: \(state.held ?? 0) live jobs cancelling their open orders\(flatten ? " and flattening" : ""), then stopping; new live jobs are held too"
                )
            }
        }
    }

    static func describe(_ s: KillSwitchState) -> String {
        guard s.thrown else { return "global kill switch: not thrown" }
        return "global kill switch: THROWN (\(s.reason ?? ""), \(s.flatten ? "flatten" : "no flatten"))"
    }
}
