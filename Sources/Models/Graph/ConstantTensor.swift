import Foundation

/// A tensor known before any bar arrives: an initializer, a `Constant`, or what compiling folded
/// (shapes, index arithmetic). Floating point is kept as `Float` (the executor's type), integers
/// and booleans as `Int64`.
public struct ConstantTensor: Sendable, Equatable {
    public enum Storage: Sendable, Equatable {
        case float([Float])
        case int([Int64])
    }

    public var shape: [Int]
    public var storage: Storage

    public init(shape: [Int], floats: [Float]) {
        precondition(shape.reduce(1, *) == floats.count, "shape and element count differ")
        self.shape = shape
        storage = .float(floats)
    }

    public init(shape: [Int], ints: [Int64]) {
        precondition(shape.reduce(1, *) == ints.count, "shape and element count differ")
        self.shape = shape
        storage = .int(ints)
    }

    public var count: Int { shape.reduce(1, *) }

    public var isFloat: Bool {
        if case .float = storage { return true }
        return false
    }

    /// The elements as floats (integers converted).
    public var floats: [Float] {
        switch storage {
        case .float(let f): f
        case .int(let i): i.map { Float($0) }
        }
    }

    /// The elements as integers (floats truncated toward zero, as ONNX's Cast does).
    public var ints: [Int64] {
        switch storage {
        case .float(let f): f.map { $0.isFinite && abs($0) < 9.2e18 ? Int64($0) : 0 }
        case .int(let i): i
        }
    }

    /// The same elements read through an index map (`map[i]` is the source of element `i`).
    func gathered(_ map: [Int], shape: [Int]) -> ConstantTensor {
        switch storage {
        case .float(let f): ConstantTensor(shape: shape, floats: map.map { f[$0] })
        case .int(let v): ConstantTensor(shape: shape, ints: map.map { v[$0] })
        }
    }

    /// Reads an ONNX `TensorProto`: typed fields or little-endian raw bytes.
    init(_ proto: Onnx_TensorProto, name: String) throws(ModelError) {
        if proto.dataLocation == .external {
            throw ModelError(
                "tensor \"\(name)\" keeps its data outside the model file; save the model with its weights inside "
                    + "(onnx.save(model, path, save_as_external_data=False))")
        }
        let shape = proto.dims.map { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ModelError("tensor \"\(name)\" has a negative dimension") }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count <= 1 << 28 else { throw ModelError("tensor \"\(name)\" is too large (\(shape))") }
        let raw = proto.rawData
        func fromRaw<T>(_ type: T.Type, _ convert: (T) -> Float) throws(ModelError) -> [Float] {
            guard raw.count == count * MemoryLayout<T>.size else {
                throw ModelError("tensor \"\(name)\": \(raw.count) raw bytes for \(count) elements")
            }
            return raw.withUnsafeBytes { b in
                (0..<count).map { convert(b.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
            }
        }
        func intsFromRaw<T: FixedWidthInteger>(_ type: T.Type) throws(ModelError) -> [Int64] {
            guard raw.count == count * MemoryLayout<T>.size else {
                throw ModelError("tensor \"\(name)\": \(raw.count) raw bytes for \(count) elements")
            }
            return raw.withUnsafeBytes { b in
                (0..<count).map {
                    Int64(T(littleEndian: b.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)))
                }
            }
        }
        let values: Storage
        switch proto.dataType {
        case 1:  // FLOAT
            values = .float(
                raw.isEmpty ? proto.floatData : try fromRaw(UInt32.self) { Float(bitPattern: UInt32(littleEndian: $0)) }
            )
        case 11:  // DOUBLE
            values = .float(
                raw.isEmpty
                    ? proto.doubleData.map { Float($0) }
                    : try fromRaw(UInt64.self) { Float(Double(bitPattern: UInt64(littleEndian: $0))) })
        case 7:  // INT64
            values = .int(raw.isEmpty ? proto.int64Data : try intsFromRaw(Int64.self))
        case 6:  // INT32
            values = .int(raw.isEmpty ? proto.int32Data.map { Int64($0) } : try intsFromRaw(Int32.self))
        case 9, 2:  // BOOL, UINT8
            values = .int(raw.isEmpty ? proto.int32Data.map { Int64($0) } : try intsFromRaw(UInt8.self))
        case 3:  // INT8
            values = .int(raw.isEmpty ? proto.int32Data.map { Int64($0) } : try intsFromRaw(Int8.self))
        default:
            throw ModelError(
                "tensor \"\(name)\" has element type \(ONNXGraph.typeName(proto.dataType)), which the executor does not "
                    + "run (float, double and integer tensors are supported)")
        }
        let stored: Int
        switch values {
        case .float(let f): stored = f.count
        case .int(let i): stored = i.count
        }
        guard stored == count else {
            throw ModelError("tensor \"\(name)\" has \(count) elements by its shape but \(stored) stored")
        }
        self.shape = shape
        storage = values
    }
}
