import NIOCore

/// One step of a resumed job's definition history: from bar `atBar` on, the strategy runs with
/// revision `revision`'s configuration. A worker resuming from a checkpoint applies the steps in
/// order, each when its cursor reaches the step's bar, so the replay trades as the stored fills say
/// the job did (docs/PROTOCOL.md, "Reloads").
public struct RevisionStep: Sendable, Hashable {
    public var revision: Int64
    public var atBar: Int64
    /// The strategy's configuration, a JSON object.
    public var strategyConfig: [UInt8]

    public init(revision: Int64, atBar: Int64, strategyConfig: [UInt8]) {
        self.revision = revision
        self.atBar = atBar
        self.strategyConfig = strategyConfig
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: revision)
        b.writeProto(2, int: atBar)
        b.writeProto(3, bytes: strategyConfig)
    }

    init(record buffer: ByteBuffer) throws(ProtocolError) {
        var r = ProtoReader(buffer, message: "RevisionStep")
        self.init(revision: 0, atBar: 0, strategyConfig: [])
        while let (f, w) = try r.next() {
            switch f {
            case 1: revision = try r.int64(w)
            case 2: atBar = try r.int64(w)
            case 3: strategyConfig = try r.bytes(w)
            default: try r.skip(w)
            }
        }
    }
}
