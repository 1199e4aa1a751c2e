/// A trading strategy: receives bars (and its own fills) and places orders through the venue.
///
/// A strategy is a value type whose stored properties are its whole state (indicators included);
/// being Codable is what lets a job checkpoint and resume it bit for bit. The venue is a generic
/// parameter, so a backtest compiles to direct calls with no dynamic dispatch per bar.
public protocol Strategy: Sendable, Codable {
    /// Registry name, summary and parameters.
    static var descriptor: ComponentDescriptor { get }
    /// Builds the strategy from validated parameters; cross-field problems throw a ``SpecError``.
    init(parameters: Parameters) throws(SpecError)
    /// Called once per bar, after working orders were matched against it.
    mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V)
    /// Called before a backtest's loop, which then calls ``onBarInRun(_:venue:)`` for each bar
    /// while it holds the strategy exclusively (no copy of it is made until the loop ends). A
    /// strategy may give its state storage of its own here (``RunWindow/makeUnique()``) so that
    /// per-bar updates need not check for sharing. The default does nothing.
    mutating func prepareForRun()
    /// ``onBar(_:venue:)`` inside a backtest's loop, after ``prepareForRun()``. The default calls
    /// ``onBar(_:venue:)``; an override must do exactly what it does.
    mutating func onBarInRun<V: TradingVenue>(_ bar: Bar, venue: inout V)
    /// Inside a backtest's loop, with no order working and no fill undelivered: takes the bars from
    /// `from` on (before `end`) on which ``onBarInRun(_:venue:)`` would place or cancel no order,
    /// advancing the strategy's state exactly as those calls would, and returns the first bar it
    /// did not take (`from` when it takes none, the default: every bar then goes through
    /// ``onBarInRun(_:venue:)``). Of the venue it may read only the position's side, given as
    /// `positionSign` (+1 long, −1 short, 0 flat; ``TradingVenue/positionSign``), which cannot
    /// change over the bars taken (no order works, no fill arrives). The loop marks the bars taken
    /// to market in a loop of its own, with the account unchanged, and asks again from the bar
    /// returned (so taking none must leave the state as it was). Stopping early is always correct;
    /// taking a bar the strategy would have acted on is not, nor taking any past `end`.
    mutating func quietBars(_ bars: BarPointers, from: Int, to end: Int, positionSign: Int) -> Int
    /// How many of the most recently finished orders (filled, canceled, rejected, expired) the
    /// strategy may look up by id with ``TradingVenue/order(_:)``; older ones answer nil. The
    /// simulated exchange keeps exactly that many, and they travel in every checkpoint of a
    /// paper job (64 of them were two thirds of one), so a strategy that never asks the venue
    /// for a finished order says 0. The default, ``ExchangeState/recentLimit``, suits any.
    static var finishedOrdersKept: Int { get }
    /// Called for each of the strategy's fills, right after the bar or order that produced it.
    mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V)
    /// The series this strategy draws beside the price (none by default).
    static var plots: [PlotSeries] { get }
    /// Series `k`'s value (in ``plots`` order) after the last bar; NaN while undefined.
    func plot(_ k: Int) -> Double
}

extension Strategy {
    /// Whether these parameters make the strategy sell short (the exchange must allow it).
    public static func sellsShort(_ parameters: Parameters) -> Bool {
        parameters.optionalString("direction") == Direction.longShort.rawValue
    }

    public mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V) {}

    public static var finishedOrdersKept: Int { ExchangeState.recentLimit }

    public mutating func prepareForRun() {}

    @inline(__always)
    public mutating func quietBars(_ bars: BarPointers, from: Int, to end: Int, positionSign: Int) -> Int { from }

    public static var plots: [PlotSeries] { [] }

    public func plot(_ k: Int) -> Double { .nan }

    /// Every series' value after the last bar, in ``plots`` order (what a session samples).
    public func plotNow() -> [Double] { Self.plots.indices.map(plot) }

    @inline(__always)
    public mutating func onBarInRun<V: TradingVenue>(_ bar: Bar, venue: inout V) { onBar(bar, venue: &venue) }
}
