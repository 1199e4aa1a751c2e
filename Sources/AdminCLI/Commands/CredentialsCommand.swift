import ATSBacktestCLI
import ATSShared
import ArgumentParser
import Foundation

struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Manage venue API keys (stored encrypted; shown by name and last 4 only).",
        subcommands: [Add.self, List.self, Remove.self, Limits.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Store a venue API key under a name that live jobs refer to.",
            discussion: """
                The API key and its secret are read from standard input, one line each (an Ed25519 \
                private key's PKCS#8 PEM may follow the API key on several lines), so they appear in \
                no process list or shell history:
                  printf '%s\\n%s\\n' "$API_KEY" "$SECRET" | ats credentials add alice-testnet --type hmac
                  (echo "$API_KEY"; cat ed25519-private.pem) | ats credentials add alice --type ed25519
                The coordinator seals them with its master key (ATS_MASTER_KEY or ATS_MASTER_KEY_FILE).
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Credential name: letters, digits, '.', '_' or '-'.") var name: String
        @Option(help: "hmac or ed25519.") var type: String
        @Option(help: "The venue.") var venue = "binance"

        func run() async throws {
            try await reportingErrors {
                guard let apiKey = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces),
                    !apiKey.isEmpty
                else { throw CLIError.invalid("api key: expected it on the first line of standard input") }
                var rest: [String] = []
                while let line = readLine(strippingNewline: true) { rest.append(line) }
                let secret = rest.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !secret.isEmpty else {
                    throw CLIError.invalid("secret: expected it after the API key on standard input")
                }
                let body = try JSONSerialization.data(withJSONObject: [
                    "name": name, "venue": venue, "key_type": type, "api_key": apiKey, "secret": secret,
                ])
                let data = try await connection.client().send("POST", "api/credentials", body: body)
                let record = try JSONCoding.decoder().decode(CredentialRecord.self, from: data)
                if connection.json { return try printJSON(record) }
                print(
                    "credential \(record.name) stored (\(record.venue) \(record.keyType), API key …\(record.apiKeyLast4))"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List venue credentials.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await reportingErrors {
                let all = try await connection.client().get("api/credentials", as: [CredentialRecord].self)
                if connection.json { return try printJSON(all) }
                var table = Table("NAME", "VENUE", "TYPE", "API KEY", "CREATED BY", "CREATED")
                for c in all {
                    table.add(c.name, c.venue, c.keyType, "…" + c.apiKeyLast4, c.createdBy, "\(c.createdAt)")
                }
                print(table.render())
            }
        }
    }

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "limits",
            abstract: "Show or set an account's risk budget, shared by every live job trading with the credential.",
            discussion: """
                Checked by the coordinator as each order's intent is written: an order that would take \
                the account's live jobs together past --max-gross-exposure (their base at the last \
                close and their open orders, in the quote asset) is refused, and once they have lost \
                --max-daily-loss together since the UTC day began they may only reduce positions.
                  ats credentials limits alice --max-gross-exposure 5000 --max-daily-loss 250
                  ats credentials limits alice --clear
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Credential name.") var name: String
        @Option(help: "Gross exposure of the account's live jobs together (quote).") var maxGrossExposure: Double?
        @Option(help: "Loss of the account's live jobs together since the UTC day began (quote).") var maxDailyLoss:
            Double?
        @Flag(help: "Remove the account's limits.") var clear = false

        func run() async throws {
            try await reportingErrors {
                let client = try connection.client()
                let path = "api/credentials/\(name)/limits"
                let limits: AccountLimits
                if clear || maxGrossExposure != nil || maxDailyLoss != nil {
                    let body = try JSONEncoder().encode(
                        AccountLimits(maxGrossExposure: maxGrossExposure, maxDailyLoss: maxDailyLoss))
                    limits = try JSONCoding.decoder().decode(
                        AccountLimits.self, from: try await client.send("PUT", path, body: body))
                } else {
                    limits = try await client.get(path, as: AccountLimits.self)
                }
                if connection.json { return try printJSON(limits) }
                print("account \(name): \(limits.summary)")
                if let exposure = limits.exposure, let pnl = limits.dayPnl {
                    print("now: exposure \(exposure), today's P&L \(pnl) across its running live jobs")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a venue credential.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Credential name.") var name: String

        func run() async throws {
            try await reportingErrors {
                _ = try await connection.client().send("DELETE", "api/credentials/\(name)")
                print("credential \(name) removed")
            }
        }
    }
}
