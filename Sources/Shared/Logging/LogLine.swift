import Foundation
import Logging

/// One log record as the dashboard's log view and the log file show it.
public struct LogLine: Sendable, Codable, Hashable {
    public var seq: Int64
    public var at: Date
    public var level: String
    public var label: String
    public var message: String
    public var metadata: [String: String]

    public init(seq: Int64, at: Date, level: String, label: String, message: String, metadata: [String: String]) {
        self.seq = seq
        self.at = at
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }

    /// `2026-12-01T09:00:00.123Z info ats.coordinator: message key=value …` (keys sorted).
    public var text: String {
        let meta = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(LogLine.timestamp(at)) \(level) \(label): \(message)\(meta.isEmpty ? "" : " " + meta)"
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    /// Merges the handler's and the call's metadata into strings.
    static func flatten(_ a: Logger.Metadata, _ b: Logger.Metadata?) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in a { out[k] = "\(v)" }
        for (k, v) in b ?? [:] { out[k] = "\(v)" }
        return out
    }
}
