import ATSTestSupport
import Foundation
import NIOCore
import Testing

@testable import ATSShared

/// The hand-written codec against the published schema: `protoc --decode` must read every body
/// we write as the message docs/ats.proto says it is.
struct ProtoSchemaTests {
    static let protoNames: [UInt8: String] = [
        1: "Hello", 2: "Welcome", 3: "Refuse", 4: "AssignJob", 5: "StopJob", 6: "ReloadJob", 7: "Heartbeat",
        8: "JobStarted", 9: "FillBatch", 10: "CheckpointSaved", 11: "JobProgress", 12: "JobFinished", 13: "JobFailed",
        14: "Ack",
        15: "Challenge", 16: "ReloadApplied", 17: "OrderIntentWritten", 18: "IntentVerdict",
        19: "OrderIntentResolved", 20: "VenueFills", 21: "CandlesSeen",
    ]

    static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    static func protoc() -> String? {
        ["/usr/bin/protoc", "/usr/local/bin/protoc"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("protoc decodes every message body", arguments: WireMessageTests.samples)
    func protocReadsOurBytes(_ message: WireMessage) async throws {
        let protoc = try #require(Self.protoc(), "protoc is missing: test.sh installs protobuf-compiler")
        var body = ByteBufferAllocator().buffer(capacity: 256)
        message.encodeBody(into: &body)
        let (status, text) = try await runTool(
            protoc,
            [
                "--proto_path=\(Self.root.appendingPathComponent("docs").path)",
                "--decode=ats.v1.\(Self.protoNames[message.typeCode]!)", "ats.proto",
            ], input: Data(body.readableBytesView))
        #expect(status == 0, "\(message.name): \(text)")
        switch message {
        case .hello(let h):
            #expect(
                text.contains("worker_id: \"\(h.workerId)\"") && text.contains("labels: \"eu\"")
                    && text.contains("epoch: 9") && text.contains("worker_nonce: ") && text.contains("proof: "))
        case .challenge: #expect(text.contains("supported_versions: 3") && text.contains("coordinator_id: \"c-1\""))
        case .fills(let f):
            #expect(
                text.components(separatedBy: "fills {").count == f.fills.count + 1 && text.contains("price: 29050.12")
                    && text.contains("liquidity: 1") && text.contains("spec_revision: 3"))
        case .refuse(let r) where r.code == .notLeader:
            #expect(text.contains("code: NOT_LEADER") && text.contains("leader_address: \"10.0.0.2:7070\""))
        case .refuse: #expect(text.contains("code: UNSUPPORTED_VERSION"))
        case .finished: #expect(text.contains("outcome: STOPPED"))
        case .ack(let a): #expect(text.contains("message_seq: \(a.messageSeq)"))
        case .failed(let f): #expect(text.contains("epoch: -1") && text.contains(f.error))
        case .assign(let a) where !a.schedule.isEmpty:
            #expect(
                text.contains("spec_revision: 4") && text.contains("checkpoint_revision: 2")
                    && text.contains("checkpoint_engine: \"ats-engine 0.2.0\"") && text.contains("at_bar: 950")
                    && text.contains("replay_until_bar: 950"))
        case .reload: #expect(text.contains("revision: 3"))
        case .stop(let s) where s.halt: #expect(text.contains("halt: true") && text.contains("flatten: true"))
        case .checkpoint(let c) where c.serial > 0: #expect(text.contains("serial: \(c.serial)"))
        case .checkpoint:
            #expect(text.contains("spec_revision: 2") && text.contains("data_hash: \"xxh3:0011223344556677\""))
        case .started(let s) where !s.phase.isEmpty: #expect(text.contains("phase: \"reconciling\""))
        case .assign(let a) where !a.priorIntents.isEmpty:
            #expect(
                text.components(separatedBy: "prior_intents {").count == a.priorIntents.count + 1
                    && text.contains("state: \"rejected\"") && text.contains("code: -2010")
                    && text.contains("venue_order_id: 81") && text.contains("halt: \"killed by ops\"")
                    && text.contains("halt_flatten: true"))
        case .reloadApplied: #expect(text.contains("revision: 3") && text.contains("bar: 700"))
        case .intentWritten(let m) where !m.stopPrice.isEmpty:
            #expect(
                text.contains("order_type: \"STOP_LOSS\"") && text.contains("stop_price: \"48000.5\"")
                    && text.contains("list_client_order_id: \"atl-5-2-b\""))
        case .intentWritten:
            #expect(
                text.contains("client_order_id: \"ats-5-2-a\"") && text.contains("quantity: \"0.00120000\"")
                    && text.contains("price: \"50000.01\"") && text.contains("decided_at_ms: 1700000000000"))
        case .intentVerdict(let v) where v.keepsJob:
            #expect(text.contains("keeps_job: true") && !text.contains("accepted"))
        case .intentVerdict: #expect(text.contains("accepted: true") && text.contains("client_order_id: \"ats-5-2-a\""))
        case .intentResolved: #expect(text.contains("state: \"accepted\"") && text.contains("venue_order_id: 77"))
        case .venueFills:
            #expect(
                text.components(separatedBy: "fills {").count == 3 && text.contains("trade_id: 901")
                    && text.contains("commission_asset: \"BTC\"") && text.contains("maker: true"))
        case .candlesSeen(let c) where c.stepSize > 0:
            #expect(
                text.contains("tick_size: 0.01") && text.contains("step_size: 0.0001")
                    && text.contains("min_notional: 5")
                    && text.contains("close: \"2000.50\""))
        case .candlesSeen:
            #expect(
                text.components(separatedBy: "candles {").count == 3 && text.contains("endpoint: \"local:9100\"")
                    && text.contains("first_bar: 41") && text.contains("open_time_ms: 1700000042000")
                    && text.contains("low: \"49990.50000000\""))
        default: #expect(!text.isEmpty || body.readableBytes == 0)
        }
    }
}
