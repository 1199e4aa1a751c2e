import Foundation

/// Plain text tables for humans: columns padded to their widest cell.
public struct Table {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(_ headers: String...) { self.headers = headers }

    public mutating func add(_ cells: String...) { rows.append(cells) }
    public mutating func add(_ cells: [String]) { rows.append(cells) }

    public func render() -> String {
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
    public func fixed(_ decimals: Int) -> String {
        isFinite ? String(format: "%.\(decimals)f", self) : description
    }

    public func percent(_ decimals: Int = 2) -> String { (self * 100).fixed(decimals) + "%" }
}
