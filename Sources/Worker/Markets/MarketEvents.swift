import ATSEngine
import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation

/// What wakes a job on a live market: a closed candle, its user data stream (a live job's), or a
/// tick — a stop or reload request, or the periodic look at its lease.
enum MarketEvent: Sendable {
    case candle(BinanceKline)
    case user(BinanceUserStream.Event)
    case tick
}

/// The one stream a job on a live market waits on (``MarketJobRunner``, ``LiveJobRunner``): the
/// worker's shared candles, the job's requests, a look at its lease every `leaseCheck` and at the
/// moment it would lapse (`lapse`: how long until then), and for a live job its user data stream. ``cancel()`` ends it all.
final class MarketEvents: Sendable {
    let stream: AsyncStream<MarketEvent>
    private let sink: AsyncStream<MarketEvent>.Continuation
    private let tasks: [Task<Void, Never>]

    init(
        candles: AsyncStream<BinanceKline>, control: JobControl, clock: any JobClock, leaseCheck: Duration,
        lapse: @escaping @Sendable () -> Duration, user: BinanceUserStream? = nil
    ) {
        let (stream, sink) = AsyncStream<MarketEvent>.makeStream()
        self.stream = stream
        self.sink = sink
        var tasks = [
            Task {
                for await candle in candles { sink.yield(.candle(candle)) }
                sink.finish()
            },
            Task {
                while !Task.isCancelled {
                    // At the clock's next multiple of `leaseCheck` (every job on the worker at
                    // once), and at the lease's lapse when that comes first: a job that cannot
                    // renew stops then (a live one sends the venue nothing more), before the
                    // coordinator may hand it on.
                    let left = lapse()
                    let now = clock.elapsed
                    let tick = ClockTicks.next(after: now, period: leaseCheck) - now
                    try? await clock.sleep(for: left > .zero ? min(tick, left + .milliseconds(1)) : tick)
                    sink.yield(.tick)
                }
            },
            Task { for await _ in control.changes { sink.yield(.tick) } },
        ]
        if let user { tasks.append(Task { await user.run { sink.yield(.user($0)) } }) }
        self.tasks = tasks
    }

    func cancel() {
        for t in tasks { t.cancel() }
        sink.finish()
    }
}

/// What a job on a live market does next, before it looks at an event.
enum MarketRunDirective: Sendable, Equatable {
    case proceed
    /// The lease was not confirmed in time: checkpoint and give the job back (self-fencing).
    case fence
    case stop
    case release
    /// The kill switch (a live job cancels its orders and flattens first; a paper job stops).
    case halt(flatten: Bool)

    init(lease: LeaseGuard, generation: Int, control: JobControl) {
        if !lease.isValid(generation: generation) {
            self = .fence
            return
        }
        switch control.request {
        case .stop: self = .stop
        case .release: self = .release
        case .halt(let flatten): self = .halt(flatten: flatten)
        case .none: self = .proceed
        }
    }
}

extension BinanceKline {
    /// The candle as the engine's bar (its open time as the bar's time, as bar files have it).
    var bar: Bar {
        Bar(
            time: openTime, open: open.double, high: high.double, low: low.double, close: close.double,
            volume: volume.double)
    }
}
