import Foundation

/// Walk-forward testing (docs/SWEEPS.md "Walk-forward"): the data's span cut into folds, each a
/// train window and the test window after it, written `rolling:train=90d,test=30d` (each train
/// window the `train` before its test) or `anchored:train=90d,test=30d` (each from the first bar),
/// with an optional `embargo=1d` between the two. Test windows follow one another, each `test`
/// long, the first after `train` (and the embargo); only whole test windows are folds. Durations
/// take `m` (minutes), `h`, `d` or `w`.
public struct WalkForward: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable { case rolling, anchored }

    public let kind: Kind
    public let trainMs: Int64
    public let testMs: Int64
    public let embargoMs: Int64
    /// As written.
    public let description: String

    /// One fold's windows, epoch milliseconds, each from its start (included) to its end (not).
    public struct Fold: Sendable, Hashable, Codable {
        public var trainFrom: Int64
        public var trainTo: Int64
        public var testFrom: Int64
        public var testTo: Int64
    }

    public init(parsing text: String) throws(SpecError) {
        let field = "walk_forward"
        let head = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard head.count == 2, let kind = Kind(rawValue: head[0]) else {
            throw SpecError(
                field: field, reason: "expected rolling:train=90d,test=30d or anchored:…, got \"\(text)\"")
        }
        var values: [String: Int64] = [:]
        for part in head[1].split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, ["train", "test", "embargo"].contains(pair[0]) else {
                throw SpecError(field: field, reason: "expected train=, test= and embargo=, got \"\(part)\"")
            }
            guard values[pair[0]] == nil else { throw SpecError(field: field, reason: "\(pair[0]) given twice") }
            guard let ms = Self.milliseconds(pair[1]) else {
                throw SpecError(
                    field: "\(field).\(pair[0])",
                    reason: "expected a duration like 90d, 12h, 30m or 2w, got \"\(pair[1])\"")
            }
            values[pair[0]] = ms
        }
        guard let train = values["train"], train > 0, let test = values["test"], test > 0 else {
            throw SpecError(field: field, reason: "train and test are both needed, and above zero")
        }
        self.kind = kind
        trainMs = train
        testMs = test
        embargoMs = values["embargo"] ?? 0
        description = text
    }

    /// `90d`, `12h`, `30m`, `2w` in milliseconds (nil: not a duration).
    static func milliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0, n < 100_000 else { return nil }
        let minute: Int64 = 60_000
        switch unit {
        case "m": return n * minute
        case "h": return n * 60 * minute
        case "d": return n * 1_440 * minute
        case "w": return n * 10_080 * minute
        default: return nil
        }
    }

    /// The most folds a walk-forward makes (each adds to every trial's record).
    public static let maximumFolds = 1_000

    /// The folds over bars from `first` to `end` (the last bar's time plus its interval); none
    /// for a span that is not one (`end` not after `first`, or times no bar has).
    public func folds(first: Int64, end: Int64) -> [Fold] {
        // Times within ten thousand years of 1970 either way (no sum below can overflow).
        let limit: Int64 = 10_000 * 366 * 86_400_000
        guard first < end, first > -limit, end < limit else { return [] }
        var out: [Fold] = []
        var testFrom = first + trainMs + embargoMs
        while testFrom + testMs <= end, out.count <= Self.maximumFolds {
            let trainTo = testFrom - embargoMs
            out.append(
                Fold(
                    trainFrom: kind == .rolling ? trainTo - trainMs : first, trainTo: trainTo, testFrom: testFrom,
                    testTo: testFrom + testMs))
            testFrom += testMs
        }
        return out
    }

    /// Why the folds over `span` cannot be used (nil: they can): none, or more than ``maximumFolds``.
    public func problem(over span: TrialRecords.Span) -> String? {
        let count = folds(first: span.first, end: span.end).count
        if count == 0 { return noFoldsReason(span) }
        if count > Self.maximumFolds {
            return
                "walk_forward: more than \(Self.maximumFolds) folds over the data (\(description)): longer test windows"
        }
        return nil
    }

    /// Why data over `span` has no fold, for its trader.
    public func noFoldsReason(_ span: TrialRecords.Span) -> String {
        let days = Double(span.end - span.first) / 86_400_000
        return "walk_forward: the data spans \(Int(days.rounded())) days, too short for one train window and a whole"
            + " test window after it (\(description))"
    }

    /// Where the span's segments begin: every fold window's edges, in order, once (a trial keeps
    /// its returns' sums per segment, so any fold window is a run of whole segments).
    public static func boundaries(_ folds: [Fold]) -> [Int64] {
        Array(Set(folds.flatMap { [$0.trainFrom, $0.trainTo, $0.testFrom, $0.testTo] })).sorted()
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
