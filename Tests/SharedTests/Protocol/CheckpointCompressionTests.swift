import ATSEngine
import ATSShared
import Foundation
import Testing

/// A checkpoint's state compressed and inflated again (``CheckpointCompression``): the bytes
/// come back exactly, plain state passes through, and every way the compressed form can be
/// damaged is refused with a reason instead of restoring something else.
@Suite struct CheckpointCompressionTests {
    /// A paper job's whole state (its strategy keeps no finished orders).
    static let paperState: [UInt8] = {
        let bars = SyntheticBars(seed: 11).generate(count: 5_000)
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: [:]),
            strategy: ComponentRef(namespace: "strategies:sma_cross", config: ["fast": .int(3), "slow": .int(9)]),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
            portfolio: .init(cash: 100_000))
        var session = try! Registry.builtIn.makeSession(try! Registry.builtIn.resolve(spec))
        session.run(bars, until: bars.count)
        return Array(try! session.checkpoint())
    }()

    /// An exchange's state holding the default history of 64 finished orders (what a strategy
    /// that does not say how many it looks up keeps).
    static let historyState: [UInt8] = {
        var x = SimulatedExchange(
            instrument: Instrument(
                base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5),
            config: SimulationConfig(marketFill: .close), fees: GenericFees(rate: 0.001), cash: 1e9)
        let bars = SyntheticBars(seed: 11).generate(count: 100)
        for i in 0..<bars.count {
            x.process(bar: bars[i], index: i)
            x.submit(.market(i % 2 == 0 ? .buy : .sell, 0.5 + Double(i) / 64))
        }
        return Array(try! CheckpointCoding.encoder().encode(x.state))
    }()

    @Test(arguments: [(paperState, 1.5), (historyState, 5.0)] as [([UInt8], Double)])
    func aStateComesBackExactlyAndSmaller(_ plain: [UInt8], atLeast ratio: Double) throws {
        #expect(plain.first == UInt8(ascii: "{"))
        let packed = CheckpointCompression.compress(plain)
        #expect(CheckpointCompression.isCompressed(packed))
        #expect(!CheckpointCompression.isCompressed(plain))
        #expect(CheckpointCompression.plainSize(packed) == plain.count)
        #expect(CheckpointCompression.plainSize(plain) == plain.count)
        #expect(
            Double(packed.count) * ratio < Double(plain.count), "\(plain.count) bytes compressed to \(packed.count)")
        #expect(try CheckpointCompression.inflate(packed) == plain)
    }

    @Test func plainStatePassesThroughAndWhatWouldNotShrinkStaysPlain() throws {
        #expect(try CheckpointCompression.inflate([]) == [])
        #expect(try CheckpointCompression.inflate(Self.paperState) == Self.paperState)
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(CheckpointCompression.compress(noise) == noise, "random bytes do not shrink: sent as they are")
        #expect(CheckpointCompression.compress([]) == [])
        let tiny = Array("{}".utf8)
        #expect(CheckpointCompression.compress(tiny) == tiny)
    }

    @Test(arguments: Damage.allCases)
    func damagedStateIsRefusedSayingWhy(_ damage: Damage) {
        let packed = CheckpointCompression.compress(Self.paperState)
        let damaged = damage.apply(to: packed)
        #expect(damaged != packed)
        #expect(throws: CheckpointCompression.Corrupt.self) { try CheckpointCompression.inflate(damaged) }
        do {
            _ = try CheckpointCompression.inflate(damaged)
        } catch {
            #expect("\(error)".contains(damage.says), "\(error)")
        }
    }

    /// A header claiming more than a checkpoint may hold is refused for that, before anything
    /// is inflated (a hostile or damaged header cannot make a worker allocate 2 GB).
    @Test func aHeaderClaimingMoreThanTheLimitIsRefusedForThat() {
        var packed = CheckpointCompression.compress(Self.paperState)
        packed[4...7] = [0xFF, 0xFF, 0xFF, 0x7F]
        #expect(
            throws: CheckpointCompression.Corrupt(
                reason: "its header says 2147483647 bytes, more than a checkpoint may hold (16777216)")
        ) { try CheckpointCompression.inflate(packed) }
        let fits = CheckpointCompression.compress(Self.paperState)
        let size = Self.paperState.count
        #expect(
            throws: CheckpointCompression.Corrupt(
                reason: "its header says \(size) bytes, more than a checkpoint may hold (\(size - 1))")
        ) { try CheckpointCompression.inflate(fits, limit: size - 1) }
        #expect(throws: Never.self) { try CheckpointCompression.inflate(fits, limit: size) }
    }

    enum Damage: CaseIterable, Sendable {
        case headerCut, streamCut, byteFlipped, trailingByte, sizeOneLess, sizeOneMore, magicOnly

        func apply(to packed: [UInt8]) -> [UInt8] {
            var b = packed
            switch self {
            case .headerCut: b = Array(b.prefix(6))
            case .streamCut: b.removeLast(7)
            case .byteFlipped: b[b.count / 2] ^= 0x40
            case .trailingByte: b.append(0)
            case .sizeOneLess: b[4] &-= 1
            case .sizeOneMore: b[4] &+= 1
            case .magicOnly: b = CheckpointCompression.magic
            }
            return b
        }

        var says: String {
            switch self {
            case .headerCut, .magicOnly: "shorter than its 8-byte header"
            default: "does not inflate to the"
            }
        }
    }
}
