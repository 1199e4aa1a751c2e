import ATSBacktestCLI
import ATSShared
import ArgumentParser
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the web dashboard's users.",
        subcommands: [Add.self, List.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a dashboard user (or, with --replace, set a new password and end their sessions).",
            discussion: """
                The password is read from standard input (one line), so it appears in no process \
                list or shell history: `printf '%s\\n' "$PASSWORD" | ats user add alice`. At least 12 characters.
                Roles: viewer (reads everything but users), trader (also creates and acts on jobs), admin \
                (also users and workers). A new user is a viewer unless --role says otherwise.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "User name: letters, digits, '.', '_', '-' or '@'.") var name: String
        @Flag(help: "Set a new password if the user exists.") var replace = false
        @Option(help: "viewer, trader or admin (a new user: viewer; with --replace: unchanged unless given).")
        var role: String?

        func run() async throws {
            try await reportingErrors {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw CLIError.invalid("password: expected one line on standard input")
                }
                var fields: [String: Any] = ["name": name, "password": line, "replace": replace]
                if let role {
                    guard Role(rawValue: role) != nil else {
                        throw CLIError.usage("--role: expected viewer, trader or admin, got \"\(role)\"")
                    }
                    fields["role"] = role
                }
                let body = try JSONSerialization.data(withJSONObject: fields)
                let data = try await connection.client().send("POST", "api/users", body: body)
                let user = try JSONCoding.decoder().decode(UserRecord.self, from: data)
                if connection.json { return try printJSON(user) }
                print("user \(user.name) saved (\(user.role.rawValue))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List dashboard users.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await reportingErrors {
                let users = try await connection.client().get("api/users", as: [UserRecord].self)
                if connection.json { return try printJSON(users) }
                var table = Table("NAME", "ROLE", "CREATED BY", "CREATED")
                for u in users { table.add(u.name, u.role.rawValue, u.createdBy, "\(u.createdAt)") }
                print(table.render())
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Remove a dashboard user and end their sessions.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "User name.") var name: String

        func run() async throws {
            try await reportingErrors {
                _ = try await connection.client().send("DELETE", "api/users/\(name)")
                print("user \(name) deleted")
            }
        }
    }
}
