/// Client order ids a job's orders carry on the venue: derived from (job, epoch, order sequence),
/// so a resumed job recognises its own orders, and never reused (a retry takes the next sequence:
/// Binance accepts an id again once the first order has filled, so an id is not an idempotency
/// key). Within Binance's form `^[a-zA-Z0-9-_]{1,36}$`: `ats-` and the three numbers in base 36.
public struct ClientOrderId: Sendable, Hashable, CustomStringConvertible {
    public var job: Int64
    public var epoch: Int64
    public var sequence: Int64

    public init(job: Int64, epoch: Int64, sequence: Int64) {
        precondition(job >= 0 && epoch >= 0 && sequence >= 0, "client order id parts are not negative")
        self.job = job
        self.epoch = epoch
        self.sequence = sequence
    }

    /// The prefix every order of a job carries, whatever its epoch (reconciliation adopts open
    /// orders with it).
    public static func prefix(job: Int64) -> String { "ats-\(String(job, radix: 36))-" }

    /// Job ids and epochs below 36^8 (2.8 × 10^12) and any 64-bit sequence fit in 35 characters.
    public var description: String {
        Self.prefix(job: job) + String(epoch, radix: 36) + "-" + String(sequence, radix: 36)
    }

    /// The id of the order list this order leads (an OCO's limit leg): `atl-` where the order has
    /// `ats-`, so it is distinct from every order id (the venue requires it distinct from its
    /// legs') and as unique as this one.
    public var listClientOrderId: String { "atl" + description.dropFirst(3) }

    /// Reads an id back; nil for another client's (or another shape of) id.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "ats", let j = Int64(parts[1], radix: 36),
            let e = Int64(parts[2], radix: 36), let s = Int64(parts[3], radix: 36), j >= 0, e >= 0, s >= 0
        else { return nil }
        self.init(job: j, epoch: e, sequence: s)
    }

    /// Whether `text` has Binance's allowed form.
    public static func isValidForm(_ text: String) -> Bool {
        (1...36).contains(text.utf8.count)
            && text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                    || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "_")
            }
    }
}
