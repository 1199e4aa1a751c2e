import Foundation

/// Plain text tables for humans: columns padded to their widest cell.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }
    mutating func add(_ cells: [String]) { rows.append(cells) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (k, cell) in row.enumerated() where k < widths.count { widths[k] = max(widths[k], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, c in
                k == cells.count - 1 ? c : c.padding(toLength: widths[k], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}

extension Double {
    /// Fixed decimals for tables.
    func fixed(_ decimals: Int) -> String {
        isFinite ? String(format: "%.\(decimals)f", self) : description
    }

    func percent(_ decimals: Int = 2) -> String { (self * 100).fixed(decimals) + "%" }
}
