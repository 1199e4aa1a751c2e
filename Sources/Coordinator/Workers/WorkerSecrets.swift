import ATSShared
import Foundation

/// Which secret each worker proves in its hello: its own, when the secrets file
/// (`ATS_WORKER_SECRETS_FILE`, lines `worker-id secret`) lists it, otherwise the cluster secret
/// (`ATS_WORKER_TOKEN`), when there is one. A worker with its own secret cannot use the cluster's,
/// so one machine's leaked secret does not open the door to every worker id.
public struct WorkerSecrets: Sendable {
    public var cluster: String?
    public var perWorker: [String: String]

    public init(cluster: String?, perWorker: [String: String] = [:]) {
        self.cluster = cluster
        self.perWorker = perWorker
    }

    public func secret(for workerId: String) -> String? {
        perWorker[workerId] ?? cluster
    }

    /// Reads a secrets file: one `worker-id secret` pair per line, `#` comments and blank lines
    /// ignored. The file must be readable by its owner only, like an SSH key.
    public static func load(path: String) throws(ConfigurationError) -> [String: String] {
        let variable = "ATS_WORKER_SECRETS_FILE"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = attributes[.posixPermissions] as? Int
        else {
            throw ConfigurationError(variable: variable, reason: "cannot read \(path)")
        }
        guard mode & 0o077 == 0 else {
            throw ConfigurationError(
                variable: variable,
                reason: "\(path) is readable by others (mode \(String(mode, radix: 8))): chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(variable: variable, reason: "cannot read \(path)")
        }
        var secrets: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            // Line numbers only: a secret never appears in an error.
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ConfigurationError(
                    variable: variable, reason: "\(path):\(index + 1): expected `worker-id secret`")
            }
            guard parts[1].count >= 16 else {
                throw ConfigurationError(
                    variable: variable, reason: "\(path):\(index + 1): the secret of \(parts[0]) is under 16 characters"
                )
            }
            guard secrets.updateValue(parts[1], forKey: parts[0]) == nil else {
                throw ConfigurationError(
                    variable: variable, reason: "\(path):\(index + 1): \(parts[0]) is listed twice")
            }
        }
        return secrets
    }
}
