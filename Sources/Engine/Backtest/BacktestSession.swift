import Foundation

/// A run in progress, whatever its strategy type: what drivers (the CLI, a worker) hold. Each call
/// runs a whole chunk of bars inside the specialised generic loop, so the existential costs one
/// dynamic call per chunk, never one per bar.
public protocol BacktestSession: Sendable {
    /// Index of the next bar to process.
    var cursor: Int { get }
    /// Processes bars `cursor..<end`.
    mutating func run(_ bars: BarSeries, until end: Int)
    /// Processes one bar that is not part of a series (a live market's closed candle).
    mutating func step(_ bar: Bar)
    /// Takes the fills produced since the last call, in sequence order.
    mutating func takeFills() -> [Fill]
    /// The whole state, versioned, as bytes; ``Registry/makeSession(_:checkpoint:)`` restores it.
    func checkpoint() throws -> Data
    func statistics(barInterval: Int64) -> BacktestStatistics
    /// Closed round trips (recorded only when the session was made with `recordTrades`).
    var trades: [RoundTrip] { get }
    /// Equity at each bar's close (recorded only with `recordEquity`).
    var equityCurve: [Double] { get }
    /// Each bar's return as the statistics take it (recorded only with `recordReturns`).
    var returns: [Double] { get }
    /// Moves the recorded returns out (the session keeps none).
    mutating func takeReturns() -> [Double]
    /// The series the strategy draws, and (with `recordEquity` and `recordPlots`) each one's value
    /// at every bar.
    var plots: [PlotSeries] { get }
    var plotValues: [[Double]] { get }
    /// Each of ``plots``' values after the last bar processed (NaN while undefined): what a
    /// worker samples with the equity.
    func plotNow() -> [Double]
    var exchange: SimulatedExchange { get }
    /// ``exchange``'s wallet and next fill number, read without copying the whole exchange (330
    /// bytes): a worker reads them inside async functions, where Swift 6.3's debug builds free
    /// such a returned value out of order and abort ("freed pointer was not the last
    /// allocation", swiftlang/swift#87481).
    var wallet: Wallet { get }
    var nextFillSeq: Int64 { get }
    /// Replaces the strategy with a fresh one built from new parameters (a reload): the wallet,
    /// open orders, statistics and position in the data are kept; the strategy's indicators warm
    /// up again.
    mutating func replaceStrategy(parameters: Parameters) throws
}
