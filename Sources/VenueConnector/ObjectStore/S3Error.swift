/// An S3-compatible store's refusal: the HTTP status and the `Code` and `Message` of its XML error
/// body (`NoSuchKey`, `SignatureDoesNotMatch`, `AccessDenied`, …).
public struct S3Error: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public init(status: Int, body: [UInt8]) {
        self.status = status
        let text = String(decoding: body.prefix(4_096), as: UTF8.self)
        code = Self.element("Code", in: text) ?? (status == 404 ? "NoSuchKey" : "HTTP\(status)")
        message = Self.element("Message", in: text) ?? ""
    }

    public var description: String { "\(status) \(code)\(message.isEmpty ? "" : ": \(message)")" }

    /// The text of the first `<name>…</name>` in `xml`.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
            let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
    }
}
