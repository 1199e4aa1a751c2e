import ATSEngine
import Testing

@testable import ATSShared

/// The coordinator's rules for the frames of a worker connection, without sockets.
struct WorkerSessionRulesTests {
    static let hello = WireMessage.hello(
        Hello(workerId: "w", host: "h", capacity: 1, labels: [], workerNonce: [], proof: []))

    static func progress(_ seq: UInt64) -> WireMessage {
        .progress(
            JobProgress(header: JobHeader(jobId: 1, epoch: 1, messageSeq: seq), barsDone: 1, barsTotal: 2, equity: 0))
    }

    @Test func aHelloFirstThenHeartbeatsAndJobMessagesInSequence() throws {
        var rules = WorkerSessionRules()
        guard case .hello(let h) = try rules.accept(Self.hello) else { Issue.record("not a hello step"); return }
        #expect(h.workerId == "w" && rules.state == .established)
        // A reconnect's first job message may carry any seq; the next ones follow it.
        for seq in [41, 42, 43] as [UInt64] {
            guard case .persist(let m) = try rules.accept(Self.progress(seq)) else {
                Issue.record("not persisted"); return
            }
            #expect(m.jobHeader?.messageSeq == seq)
            guard case .renew = try rules.accept(.heartbeat(Heartbeat(sentAtMs: 1, runningJobs: 1))) else {
                Issue.record("heartbeat not renewed")
                return
            }
        }
        #expect(rules.expectedSeq == 44)
    }

    @Test func anythingButAHelloFirstIsRefused() {
        for first in [Self.progress(1), .heartbeat(Heartbeat(sentAtMs: 1, runningJobs: 0)), .ack(Ack(messageSeq: 1))] {
            var rules = WorkerSessionRules()
            #expect(throws: ProtocolError.self) { try rules.accept(first) }
            #expect(rules.state == .closed)
            #expect(throws: ProtocolError.self, "nothing is accepted after a broken rule") {
                try rules.accept(Self.hello)
            }
        }
    }

    @Test func gapsRegressionsSecondHellosAndCoordinatorMessagesCloseTheConnection() throws {
        let breaking: [(WireMessage, String)] = [
            (Self.progress(12), "message_seq 12 skipped ahead (expected 11)"),
            (Self.progress(9), "message_seq 9 went back (expected 11)"),
            (Self.progress(10), "message_seq 10 went back (expected 11)"),
            (Self.hello, "Hello from a worker"),
            (.assign(AssignJob(jobId: 1, epoch: 1, name: "j", spec: [], checkpoint: [])), "AssignJob from a worker"),
            (.ack(Ack(messageSeq: 3)), "Ack from a worker"),
        ]
        for (message, why) in breaking {
            var rules = WorkerSessionRules()
            _ = try rules.accept(Self.hello)
            _ = try rules.accept(Self.progress(10))
            do {
                _ = try rules.accept(message)
                Issue.record("\(message.name) accepted")
            } catch {
                #expect("\(error)".contains(why), "\(error)")
            }
            #expect(rules.state == .closed)
            #expect(throws: ProtocolError.self) { try rules.accept(Self.progress(11)) }
        }
    }
}
