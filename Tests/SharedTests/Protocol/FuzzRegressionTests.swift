import NIOCore
import Testing

@testable import ATSShared

/// Hostile frames the fuzzer (scripts/fuzz.sh) and a reader of the codec would try first: each is
/// refused with a `ProtocolError`, never a crash. Crashers the fuzzer finds are added here.
struct FuzzRegressionTests {
    func decode(_ bytes: [UInt8], maximum: Int = 1 << 16) throws -> WireMessage? {
        var decoder = FrameDecoder(maximumFrameSize: maximum)
        var b = ByteBufferAllocator().buffer(capacity: bytes.count)
        b.writeBytes(bytes)
        return try decoder.decode(buffer: &b)
    }

    func frame(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        let n = UInt32(body.count + 1)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF), type] + body
    }

    @Test func hostileFramesAreRefusedNotCrashedOn() {
        let cases: [(String, [UInt8])] = [
            ("length 0xFFFFFFFF", [0xFF, 0xFF, 0xFF, 0xFF, 1]),
            ("varint of eleven bytes", frame(7, [0x08] + Array(repeating: 0xFF, count: 10) + [0x01])),
            ("field number 0", frame(7, [0x00, 0x01])),
            ("nested lease longer than the hello", frame(1, [0x3A, 0x7F, 0x08, 0x01])),
            ("string length past the end", frame(1, [0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x41])),
            ("packed versions with a cut varint", frame(15, [0x0A, 0x02, 0x02, 0xFF])),
            ("uint32 field holding 2^40", frame(15, [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20])),
            ("fill record with a truncated double", frame(9, [0x08, 0x01, 0x22, 0x03, 0x31, 0x00, 0x00])),
            ("unsupported wire type 7", frame(14, [0x0F])),
            ("truncated fixed64", frame(14, [0x11, 0x00])),
            ("unknown finished outcome", frame(12, [0x20, 0x09])),
        ]
        for (name, bytes) in cases {
            #expect(throws: ProtocolError.self, "\(name)") { _ = try decode(bytes) }
        }
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        // A fixed-seed stream of random frames with plausible lengths and types: every outcome
        // is a message, a refusal or "need more bytes", never a trap.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var accepted = 0
        for _ in 0..<20_000 {
            let count = Int(next() % 64)
            let body = (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
            let type = UInt8(next() % 17)
            if (try? decode(frame(type, body))) != nil { accepted += 1 }
        }
        // Both outcomes occur, so the stream reaches past the frame layer into the messages.
        #expect(accepted > 0 && accepted < 20_000, "\(accepted) of 20,000 random frames decoded")
    }
}
