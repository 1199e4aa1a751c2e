import NIOCore

/// Protocol Buffers wire format (proto3 rules) written straight into a ByteBuffer: varints,
/// 64-bit doubles and length-delimited fields. Default values (0, empty) are omitted, as proto3
/// does. Nested messages get a fixed five-byte length varint, which every protobuf decoder accepts,
/// so they are written in one pass.
extension ByteBuffer {
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    @inlinable
    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        writeInteger(UInt8(v))
    }

    @inlinable
    mutating func writeTag(_ field: Int, _ wire: UInt8) {
        writeVarint(UInt64(field << 3) | UInt64(wire))
    }

    @inlinable
    mutating func writeProto(_ field: Int, uint value: UInt64) {
        guard value != 0 else { return }
        writeTag(field, 0)
        writeVarint(value)
    }

    @inlinable
    mutating func writeProto(_ field: Int, int value: Int64) {
        writeProto(field, uint: UInt64(bitPattern: value))
    }

    @inlinable
    mutating func writeProto(_ field: Int, double value: Double) {
        guard value.bitPattern != 0 else { return }
        writeTag(field, 1)
        writeInteger(value.bitPattern, endianness: .little)
    }

    @inlinable
    mutating func writeProto(_ field: Int, bool value: Bool) {
        writeProto(field, uint: value ? 1 : 0)
    }

    @inlinable
    mutating func writeProto(_ field: Int, string value: String) {
        guard !value.isEmpty else { return }
        writeTag(field, 2)
        writeVarint(UInt64(value.utf8.count))
        writeString(value)
    }

    @inlinable
    mutating func writeProto(_ field: Int, bytes value: [UInt8]) {
        guard !value.isEmpty else { return }
        writeTag(field, 2)
        writeVarint(UInt64(value.count))
        writeBytes(value)
    }

    /// A repeated string (each element written, empty ones included).
    mutating func writeProto(_ field: Int, strings values: [String]) {
        for v in values {
            writeTag(field, 2)
            writeVarint(UInt64(v.utf8.count))
            writeString(v)
        }
    }

    /// A repeated double, packed (one length-delimited run of little-endian values; nothing for
    /// none).
    mutating func writeProto(_ field: Int, doubles values: [Double]) {
        guard !values.isEmpty else { return }
        writeTag(field, 2)
        writeVarint(UInt64(values.count * 8))
        for v in values { writeInteger(v.bitPattern, endianness: .little) }
    }

    /// A nested message, its length as a padded five-byte varint.
    @inlinable
    mutating func writeProto(_ field: Int, message body: (inout ByteBuffer) -> Void) {
        writeTag(field, 2)
        let lengthAt = writerIndex
        writeBytes([0x80, 0x80, 0x80, 0x80, 0x00] as [UInt8])
        let start = writerIndex
        body(&self)
        let length = UInt32(writerIndex - start)
        setInteger(UInt8(length & 0x7F) | 0x80, at: lengthAt)
        setInteger(UInt8((length >> 7) & 0x7F) | 0x80, at: lengthAt + 1)
        setInteger(UInt8((length >> 14) & 0x7F) | 0x80, at: lengthAt + 2)
        setInteger(UInt8((length >> 21) & 0x7F) | 0x80, at: lengthAt + 3)
        setInteger(UInt8((length >> 28) & 0x0F), at: lengthAt + 4)
    }
}

/// Reads protobuf fields from a message body; unknown fields are skipped (room to evolve).
struct ProtoReader {
    var buffer: ByteBuffer
    let message: String

    init(_ buffer: ByteBuffer, message: String) {
        self.buffer = buffer
        self.message = message
    }

    func fail(_ reason: String) -> ProtocolError { .malformed(message: message, reason: reason) }

    /// The next field number and wire type, or nil at the end.
    mutating func next() throws(ProtocolError) -> (field: Int, wire: UInt8)? {
        guard buffer.readableBytes > 0 else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw fail("field number 0") }
        return (field, UInt8(key & 7))
    }

    mutating func varint() throws(ProtocolError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let byte: UInt8 = buffer.readInteger() else { throw fail("truncated varint") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw fail("varint longer than 10 bytes") }
        }
    }

    mutating func int64(_ wire: UInt8) throws(ProtocolError) -> Int64 {
        guard wire == 0 else { throw fail("expected a varint") }
        return Int64(bitPattern: try varint())
    }

    mutating func uint64(_ wire: UInt8) throws(ProtocolError) -> UInt64 {
        guard wire == 0 else { throw fail("expected a varint") }
        return try varint()
    }

    mutating func uint32(_ wire: UInt8) throws(ProtocolError) -> UInt32 {
        guard wire == 0 else { throw fail("expected a varint") }
        let v = try varint()
        guard v <= UInt64(UInt32.max) else { throw fail("value \(v) does not fit 32 bits") }
        return UInt32(v)
    }

    /// One or more values of a repeated uint32 field: unpacked (one varint) or packed (a
    /// length-delimited run of varints, what proto3 encoders write by default).
    mutating func uint32s(_ wire: UInt8) throws(ProtocolError) -> [UInt32] {
        guard wire == 2 else { return [try uint32(wire)] }
        var packed = ProtoReader(try lengthDelimited(wire), message: message)
        var values: [UInt32] = []
        while packed.buffer.readableBytes > 0 { values.append(try packed.uint32(0)) }
        return values
    }

    mutating func double(_ wire: UInt8) throws(ProtocolError) -> Double {
        guard wire == 1, let bits: UInt64 = buffer.readInteger(endianness: .little) else {
            throw fail("expected a 64-bit double")
        }
        return Double(bitPattern: bits)
    }

    /// One or more values of a repeated double field: packed (what ``ByteBuffer/writeProto(_:doubles:)``
    /// writes) or one unpacked value.
    mutating func doubles(_ wire: UInt8) throws(ProtocolError) -> [Double] {
        guard wire == 2 else { return [try double(wire)] }
        var packed = try lengthDelimited(wire)
        guard packed.readableBytes % 8 == 0 else {
            throw fail("packed doubles of \(packed.readableBytes) bytes (not a multiple of 8)")
        }
        var values: [Double] = []
        values.reserveCapacity(packed.readableBytes / 8)
        while let bits: UInt64 = packed.readInteger(endianness: .little) { values.append(Double(bitPattern: bits)) }
        return values
    }

    mutating func lengthDelimited(_ wire: UInt8) throws(ProtocolError) -> ByteBuffer {
        guard wire == 2 else { throw fail("expected a length-delimited field") }
        let length = try varint()
        guard length <= UInt64(buffer.readableBytes), let slice = buffer.readSlice(length: Int(length)) else {
            throw fail("length \(length) runs past the end of the frame")
        }
        return slice
    }

    mutating func string(_ wire: UInt8) throws(ProtocolError) -> String {
        var slice = try lengthDelimited(wire)
        guard let s = slice.readString(length: slice.readableBytes) else { throw fail("bad string") }
        return s
    }

    mutating func bytes(_ wire: UInt8) throws(ProtocolError) -> [UInt8] {
        var slice = try lengthDelimited(wire)
        return slice.readBytes(length: slice.readableBytes) ?? []
    }

    /// Skips a field this version does not know.
    mutating func skip(_ wire: UInt8) throws(ProtocolError) {
        switch wire {
        case 0: _ = try varint()
        case 1: guard buffer.readSlice(length: 8) != nil else { throw fail("truncated fixed64") }
        case 2: _ = try lengthDelimited(wire)
        case 5: guard buffer.readSlice(length: 4) != nil else { throw fail("truncated fixed32") }
        default: throw fail("unsupported wire type \(wire)")
        }
    }
}
