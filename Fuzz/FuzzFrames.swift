import ATSShared
import NIOCore

/// libFuzzer entry point (scripts/fuzz.sh): the bytes are whatever a peer sends on the worker
/// port. The frame decoder must never crash or trap, whatever the bytes and however they are split
/// into reads, and every message it accepts must encode canonically: decoding its encoding and
/// encoding again gives the same bytes (compared as bytes, so a NaN price is no false alarm).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The first byte chooses where the stream is split into two reads.
    let split = size > 0 ? Int(bytes[0]) % (size + 1) : 0
    var decoder = FrameDecoder(maximumFrameSize: 1 << 16)
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
        }
    }
    return 0
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
