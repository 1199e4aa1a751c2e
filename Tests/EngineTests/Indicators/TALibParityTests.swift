import ATSEngine
import Foundation
import Testing

/// Each indicator against TA-Lib's own output (fixtures made by scripts/make_talib_fixtures.py),
/// and its incremental form against its batch form.
struct TALibParityTests {
    static let cases: [(name: String, call: String)] = {
        let text = try! String(contentsOfFile: Fixtures.path("talib/cases.txt"), encoding: .utf8)
        return text.split(separator: "\n").map {
            let parts = $0.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        }
    }()

    static let bars = try! BarCSVReader.read(path: Fixtures.path("talib/bars.csv"))

    static func expected(_ name: String) -> [[Double]] {
        let text = try! String(contentsOfFile: Fixtures.path("talib/\(name).csv"), encoding: .utf8)
        let rows = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let width = rows.first!.split(separator: ",", omittingEmptySubsequences: false).count
        var columns = Array(repeating: [Double](), count: width)
        for row in rows {
            for (k, cell) in row.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                columns[k].append(cell.isEmpty ? .nan : Double(cell)!)
            }
        }
        return columns
    }

    @Test("matches TA-Lib to 1e-9 relative, same warm-up", arguments: cases.map(\.name))
    func matchesTALib(_ name: String) throws {
        let call = try IndicatorCall(parsing: Self.cases.first { $0.name == name }!.call)
        let (type, parameters) = try Registry.builtIn.indicator(call)
        let ours = try type.batch(Self.bars, parameters: parameters)
        let theirs = Self.expected(name)
        #expect(ours.count == theirs.count)
        for k in 0..<theirs.count {
            for i in 0..<Self.bars.count {
                let a = ours[k][i]
                let b = theirs[k][i]
                if b.isNaN {
                    #expect(a.isNaN, "\(name) output \(k) index \(i): TA-Lib has no value yet, we have \(a)")
                } else {
                    let err = abs(a - b) / max(abs(b), 1e-300)
                    #expect(err <= 1e-9 || abs(a - b) <= 1e-12, "\(name) output \(k) index \(i): \(a) vs TA-Lib \(b)")
                }
            }
        }
    }

    @Test("incremental updates equal the batch form bit for bit", arguments: cases.map(\.name))
    func incrementalEqualsBatch(_ name: String) throws {
        let call = try IndicatorCall(parsing: Self.cases.first { $0.name == name }!.call)
        let (type, parameters) = try Registry.builtIn.indicator(call)
        let batch = try type.batch(Self.bars, parameters: parameters)
        var incremental = try type.init(parameters: parameters)
        let stepwise = incremental.run(over: Self.bars)
        for k in 0..<batch.count {
            for i in 0..<Self.bars.count {
                #expect(
                    batch[k][i].bitPattern == stepwise[k][i].bitPattern
                        || (batch[k][i].isNaN && stepwise[k][i].isNaN),
                    "\(name) output \(k) index \(i)")
            }
        }
    }

    /// Every indicator's output over the fixture bars, bit for bit, against a committed digest:
    /// the same bits on every machine and whatever the build targets (with or without FMA
    /// instructions, see docs/ENGINE.md). An intended change of arithmetic updates the digest in
    /// Fixtures/golden/indicators.xxh64, with the reason in the commit.
    @Test func outputsAreTheSameBitsOnEveryMachine() throws {
        var bits: [UInt64] = []
        for name in Registry.builtIn.indicators.keys.sorted() {
            let (type, p) = try Registry.builtIn.indicator(IndicatorCall(parsing: name))
            for column in try type.batch(Self.bars, parameters: p) { bits += column.map(\.bitPattern) }
        }
        let digest = bits.withUnsafeBytes { String(XXH64.hash($0), radix: 16) }
        let expected = try String(contentsOfFile: Fixtures.path("golden/indicators.xxh64"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest == expected, "indicator outputs changed: digest \(digest)")
    }
}
