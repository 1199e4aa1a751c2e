/// The byte encodings request signing uses: RFC 3986 percent-encoding of everything but the
/// unreserved `A–Z a–z 0–9 - _ . ~` (upper-case hex, on the UTF-8 bytes), and lower-case hex.
public enum ByteEncoding {
    private static let upperHex = Array("0123456789ABCDEF".utf8)
    private static let lowerHex = Array("0123456789abcdef".utf8)

    /// `text` percent-encoded; `keepSlash` leaves `/` as it is (a URI path).
    public static func percentEncoded(_ text: String, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        appendPercentEncoded(text, keepSlash: keepSlash, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func appendPercentEncoded(_ text: String, keepSlash: Bool = false, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0F)])
            }
        }
    }

    /// Lower-case hex of a digest or MAC.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(lowerHex[Int(b >> 4)])
            out.append(lowerHex[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
