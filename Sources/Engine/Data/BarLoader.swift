import Foundation

/// Reads bars from any supported file: the binary catalog (recognised by its magic) or CSV
/// (seed, plain or Binance, detected from the first line unless `format` says).
public enum BarLoader {
    public static func load(path: String, format: BarFormat? = nil) throws -> BarSeries {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, line: 0, column: 0, reason: "cannot read the file")
        }
        return try parse(data, file: path, format: format)
    }

    public static func parse(_ data: Data, file: String, format: BarFormat? = nil) throws(DataError) -> BarSeries {
        if format == .catalog || (format == nil && BarCatalog.isCatalog(data)) {
            return try BarCatalog.decode(data, file: file)
        }
        return try BarCSVReader.parse(data, file: file, format: format)
    }
}
