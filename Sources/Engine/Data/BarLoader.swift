import Foundation

/// Reads bars from any supported file: the binary catalog (recognised by its magic) or CSV
/// (seed, plain or Binance, detected from the first line unless `format` says).
public enum BarLoader {
    public static func load(path: String, format: BarFormat? = nil) throws -> BarSeries {
        try parse(try read(path), file: path, format: format)
    }

    /// The file's bytes, memory-mapped (no copy through the kernel's read path).
    public static func read(_ path: String) throws(DataError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw DataError(
                file: path, line: 0, column: 0,
                reason: "cannot read the file: \((error as NSError).localizedDescription)")
        }
    }

    public static func parse(_ data: Data, file: String, format: BarFormat? = nil) throws(DataError) -> BarSeries {
        if format == .catalog || (format == nil && BarCatalog.isCatalog(data)) {
            return try BarCatalog.decode(data, file: file)
        }
        return try BarCSVReader.parse(data, file: file, format: format)
    }
}
