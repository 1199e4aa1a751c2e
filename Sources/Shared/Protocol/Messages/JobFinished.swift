import NIOCore

/// Worker → coordinator: the job ended, completed or stopped on request, or the worker gave it
/// back (`released`: draining, or its lease could not be confirmed) after a checkpoint, for
/// another worker to resume; `statistics` is the backtest statistics as JSON. A sweep's chunk
/// completes with its trials' records (``TrialRecords``) in `trials`, stored under the same epoch
/// check as the completion itself.
public struct JobFinished: WireBody {
    static let name = "JobFinished"

    public enum Outcome: UInt32, Sendable {
        case completed = 0
        case stopped = 1
        case released = 2
    }

    public var header: JobHeader
    public var outcome: Outcome
    public var statistics: [UInt8]
    public var trials: [UInt8]

    public init(header: JobHeader, outcome: Outcome, statistics: [UInt8], trials: [UInt8] = []) {
        self.header = header
        self.outcome = outcome
        self.statistics = statistics
        self.trials = trials
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, uint: UInt64(outcome.rawValue))
        b.writeProto(5, bytes: statistics)
        if !trials.isEmpty { b.writeProto(6, bytes: trials) }
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, outcome: .completed, statistics: [])
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4:
                guard let o = Outcome(rawValue: try r.uint32(w)) else { throw r.fail("unknown outcome") }
                outcome = o
            case 5: statistics = try r.bytes(w)
            case 6: trials = try r.bytes(w)
            default: try r.skip(w)
            }
        }
    }
}
