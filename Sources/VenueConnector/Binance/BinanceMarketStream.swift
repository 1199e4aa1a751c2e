import ATSVenues
import Foundation
import Logging
import NIOSSL
import WSClient

/// A symbol's closed candles from the venue's kline stream (`<symbol>@kline_<interval>`, web-
/// socket-streams.md), in order, each once: a reconnect or a gap is filled from
/// `GET /api/v3/klines` (``KlineSequencer``). Starting after `lastOpenTime` (a resumed job) it
/// first hands on the candles closed since.
public struct BinanceMarketStream: Sendable {
    public let streamsURL: String
    public let symbol: String
    public let interval: String
    let rest: BinanceRESTClient
    let logger: Logger
    public var reconnectDelay: Duration = .milliseconds(250)

    public init(endpoint: BinanceEndpoint, symbol: String, interval: String, rest: BinanceRESTClient, logger: Logger) {
        streamsURL = endpoint.streams
        self.symbol = symbol
        self.interval = interval
        self.rest = rest
        self.logger = logger
    }

    public struct UnknownInterval: Error, CustomStringConvertible {
        public var interval: String
        public var description: String { "unknown kline interval \(interval)" }
    }

    /// Hands every closed candle after `lastOpenTime` to `handle`, until cancelled.
    public func run(after lastOpenTime: Int64?, _ handle: @escaping @Sendable (BinanceKline) async -> Void) async throws
    {
        guard let length = BinanceKline.length(of: interval) else { throw UnknownInterval(interval: interval) }
        let sequencer = SequencerBox(KlineSequencer(length: length, lastOpenTime: lastOpenTime))
        let filler = KlineGapFiller(symbol: symbol, interval: interval, rest: rest, logger: logger)
        let url = streamsURL + "/ws/" + symbol.lowercased() + "@kline_" + interval
        var delay = reconnectDelay
        while !Task.isCancelled {
            do {
                let tls: TLSConfiguration? = url.hasPrefix("wss://") ? .makeClientConfiguration() : nil
                try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 20, autoPing: .enabled(timePeriod: .seconds(30))),
                    tlsConfiguration: tls, logger: logger
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, let k = BinanceKline.event(Data(text.utf8)) else {
                            continue
                        }
                        var s = sequencer.value
                        let ready = try await filler.deliver(k, sequencer: &s)
                        sequencer.value = s
                        for candle in ready { await handle(candle) }
                    }
                }
                delay = reconnectDelay
            } catch is CancellationError {
                return
            } catch {
                logger.warning("market stream ended", metadata: ["stream": "\(url)", "error": "\(error)"])
                delay = min(delay * 2, .seconds(30))
            }
            try? await Task.sleep(for: delay)
        }
    }

}

/// The sequencer kept across reconnects (one connection's handler uses it at a time).
final class SequencerBox: @unchecked Sendable {
    private var sequencer: KlineSequencer
    private let lock = NSLock()
    init(_ s: KlineSequencer) { sequencer = s }
    var value: KlineSequencer {
        get { lock.withLock { sequencer } }
        set { lock.withLock { sequencer = newValue } }
    }
}
