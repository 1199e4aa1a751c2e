import ATSShared
import NIOCore

/// libFuzzer entry point (scripts/fuzz.sh): the bytes are whatever a peer sends on the worker
/// port. The frame decoder must never crash or trap, whatever the bytes and however they are split
/// into reads, and every message it accepts must encode canonically: decoding its encoding and
/// encoding again gives the same bytes (compared as bytes, so a NaN price is no false alarm).
/// Every decoded frame then goes through the connection's state machine (`WorkerSessionRules`),
/// which must keep its promises whatever the order: one hello first, job messages persisted only
/// in `message_seq` order, and nothing accepted after a broken rule.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The first byte chooses where the stream is split into two reads.
    let split = size > 0 ? Int(bytes[0]) % (size + 1) : 0
    var decoder = FrameDecoder(maximumFrameSize: 1 << 16)
    var session = SessionCheck()
    var buffer = ByteBufferAllocator().buffer(capacity: size)
    for part in [bytes[..<split], bytes[split...]] {
        buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: part)))
        while true {
            let message: WireMessage?
            do {
                message = try decoder.decode(buffer: &buffer)
            } catch {
                return 0  // refused: the connection would close
            }
            guard let message else { break }
            checkCanonical(message)
            guard session.feed(message) else { return 0 }  // a broken rule: the connection closes
        }
    }
    return 0
}

/// The session rules and what they promised so far.
private struct SessionCheck {
    var rules = WorkerSessionRules()
    var helloSeen = false
    var lastPersisted: UInt64?

    /// False once the rules refuse a frame (after checking they refuse everything from then on).
    mutating func feed(_ message: WireMessage) -> Bool {
        do {
            switch try rules.accept(message) {
            case .hello:
                precondition(!helloSeen, "a second hello accepted")
                helloSeen = true
            case .renew:
                precondition(helloSeen, "a heartbeat accepted before the hello")
            case .persist(let m):
                precondition(helloSeen, "a job message accepted before the hello")
                guard let seq = m.jobHeader?.messageSeq else { fatalError("\(m.name) persisted") }
                if let last = lastPersisted { precondition(seq == last &+ 1, "message_seq \(seq) after \(last)") }
                lastPersisted = seq
            }
            return true
        } catch {
            precondition(rules.state == .closed, "refused, yet not closed")
            precondition((try? rules.accept(message)) == nil, "a frame accepted after a broken rule")
            return false
        }
    }
}

private func checkCanonical(_ message: WireMessage) {
    var first = ByteBufferAllocator().buffer(capacity: 64)
    message.writeFrame(into: &first)
    var decoder = FrameDecoder(maximumFrameSize: Int(UInt32.max))
    var copy = first
    guard let again = try? decoder.decode(buffer: &copy) else {
        fatalError("\(message.name): its own encoding does not decode")
    }
    var second = ByteBufferAllocator().buffer(capacity: 64)
    again.writeFrame(into: &second)
    precondition(first == second, "\(message.name): encoding is not canonical")
}
