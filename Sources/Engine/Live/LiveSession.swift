import Foundation

/// A strategy trading a live venue, whatever its type: what a live job's runner holds. The runner
/// feeds it closed candles (``step(_:)``), carries out the orders its strategy queued on the
/// ``ExternalVenue``, and hands back each execution the venue reported (``deliver(_:)``).
public protocol LiveSession: Sendable {
    /// Candles traded so far.
    var cursor: Int { get }
    var venue: ExternalVenue { get set }
    /// The strategy sees one closed candle.
    mutating func step(_ bar: Bar)
    /// The strategy sees one of its executions (already in the wallet).
    mutating func deliver(_ fill: Fill)
    /// Strategy and venue state, versioned; ``Registry/makeLiveSession(_:venue:checkpoint:)`` restores it.
    func checkpoint() throws -> Data
    /// A reload: a fresh strategy from new parameters; the venue's state is kept.
    mutating func replaceStrategy(parameters: Parameters) throws
    /// The series the strategy draws, and each one's value after the last candle.
    var plots: [PlotSeries] { get }
    func plotNow() -> [Double]
}

/// The live loop for one strategy type.
public struct LiveRun<S: Strategy>: LiveSession {
    public var strategy: S
    public var venue: ExternalVenue
    public private(set) var cursor: Int = 0

    public init(strategy: S, venue: ExternalVenue) {
        self.strategy = strategy
        self.venue = venue
    }

    public var plots: [PlotSeries] { S.plots }

    public func plotNow() -> [Double] { strategy.plotNow() }

    public init(restoring data: Data) throws {
        let c = try CheckpointCoding.decoder().decode(Checkpoint.self, from: data)
        guard c.version == Checkpoint.currentVersion else { throw CheckpointError.unsupportedVersion(c.version) }
        strategy = c.strategy
        venue = c.venue
        cursor = c.cursor
    }

    public mutating func step(_ bar: Bar) {
        venue.moveTo(bar, index: cursor)
        strategy.onBar(bar, venue: &venue)
        cursor += 1
    }

    public mutating func deliver(_ fill: Fill) {
        strategy.onFill(fill, venue: &venue)
    }

    public func checkpoint() throws -> Data {
        try CheckpointCoding.encoder().encode(
            Checkpoint(version: Checkpoint.currentVersion, cursor: cursor, strategy: strategy, venue: venue))
    }

    public mutating func replaceStrategy(parameters: Parameters) throws {
        strategy = try S(parameters: parameters)
    }

    struct Checkpoint: Codable {
        static var currentVersion: Int { 1 }
        var version: Int
        var cursor: Int
        var strategy: S
        var venue: ExternalVenue
    }
}
