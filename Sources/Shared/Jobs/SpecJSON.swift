import ATSEngine
import Foundation

/// Definitions as JSON (job specs, sweep specs): read with every failure turned into a
/// ``SpecError`` that names the field, written with sorted keys (the stored form).
public protocol SpecJSON: Codable {}

extension SpecJSON {
    /// Parses JSON, turning failures into a ``SpecError`` that names the field.
    public static func decode(json: Data) throws(SpecError) -> Self {
        do {
            return try JSONDecoder().decode(Self.self, from: json)
        } catch let e as SpecError {
            throw e
        } catch let e as DecodingError {
            throw SpecError(decoding: e)
        } catch {
            throw SpecError(field: "", reason: "\(error)")
        }
    }

    public func json() -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try! e.encode(self)
    }
}
