import Foundation
import Logging

/// How the daemons log: structured lines (`key=value` metadata, job and worker ids among them)
/// to standard output for journald, optionally to a rotating file, and on the coordinator into
/// the buffer the dashboard's log view reads. One handler writes to all of them, with one level
/// and one metadata dictionary: every PostgreSQL query sets logger metadata and asks the level,
/// and a `MultiplexLogHandler` would do that once per destination.
public enum LogSetup {
    public static func bootstrap(level: Logger.Level, file: RotatingLogFile?, buffer: LogBuffer?) {
        LoggingSystem.bootstrap { label in
            DaemonLogHandler(label: label, logLevel: level, file: file, buffer: buffer)
        }
    }

    struct DaemonLogHandler: LogHandler {
        let label: String
        var logLevel: Logger.Level
        let file: RotatingLogFile?
        let buffer: LogBuffer?
        var metadata: Logger.Metadata = [:]
        var stdout: StreamLogHandler

        init(label: String, logLevel: Logger.Level, file: RotatingLogFile?, buffer: LogBuffer?) {
            self.label = label
            self.logLevel = logLevel
            self.file = file
            self.buffer = buffer
            stdout = StreamLogHandler.standardOutput(label: label)
            stdout.logLevel = .trace
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { $1 } }
            var forStdout = event
            forStdout.metadata = merged
            stdout.log(event: forStdout)
            guard file != nil || buffer != nil else { return }
            let flat = LogLine.flatten(merged, nil)
            let message = "\(event.message)"
            if let file {
                file.write(
                    LogLine(
                        seq: 0, at: Date(), level: event.level.rawValue, label: label, message: message, metadata: flat
                    )
                    .text)
            }
            buffer?.append(level: event.level, label: label, message: message, metadata: flat)
        }
    }
}
