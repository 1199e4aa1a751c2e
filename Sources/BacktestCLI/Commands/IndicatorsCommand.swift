import ATSCommon
import ATSEngine
import ArgumentParser
import Foundation

struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators", abstract: "Compute indicator series over a bar file into CSV.",
        discussion: """
            ats indicators --data bars.csv --indicator rsi:period=14 --indicator macd:fast=12,slow=26,signal=9 --out values.csv
            One column per output; an empty cell before the indicator has warmed up.
            """)

    @Option(help: "Bar file.") var data: String
    @Option(name: .customLong("indicator"), help: "NAME[:param=value,...] (repeat).") var indicators: [String]
    @Option(help: "Output CSV (stdout when absent).") var out: String?

    func run() async throws {
        try await reportingErrors {
            let bars: BarSeries
            do { bars = try BarLoader.load(path: data, inPlace: true) } catch let e as DataError {
                throw CLIError.invalid(e.description)
            }
            var headers = ["time"]
            var columns: [[Double]] = []
            for text in indicators {
                do {
                    let call = try IndicatorCall(parsing: text)
                    let (type, parameters) = try Registry.standard.indicator(call)
                    headers += call.columnNames(outputs: type.descriptor.outputs)
                    columns += try type.batch(bars, parameters: parameters)
                } catch let e as SpecError {
                    throw CLIError.invalid("--indicator \(text): \(e)")
                }
            }
            var csv = headers.joined(separator: ",") + "\n"
            csv.reserveCapacity(bars.count * (16 + 20 * columns.count))
            for i in 0..<bars.count {
                csv += Timestamp.format(bars.time[i])
                for c in columns {
                    csv += ","
                    if !c[i].isNaN { csv += String(c[i]) }
                }
                csv += "\n"
            }
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: Data(csv.utf8)) else {
                    throw CLIError.invalid("cannot write \(out)")
                }
                print("wrote \(columns.count) column(s) over \(bars.count) bars to \(out)")
            } else {
                print(csv, terminator: "")
            }
        }
    }
}
