import ATSEngine
import Foundation
import Testing

struct BarColumnTests {
    /// A column in place over `values`' bytes, kept alive by the `Data` that holds them.
    static func inPlace(_ values: [Double]) -> BarColumn<Double> {
        let data = values.withUnsafeBytes { Data($0) }
        return data.withUnsafeBytes {
            BarColumn(inPlace: $0.baseAddress!.assumingMemoryBound(to: Double.self), count: values.count, keeper: data)
        }
    }

    @Test func inPlaceAndOwnedColumnsReadAndCompareAlike() {
        let values = (0..<100).map { Double($0) * 1.5 }
        let mapped = Self.inPlace(values)
        let owned = BarColumn(values)
        #expect(mapped.isInPlace && !owned.isInPlace)
        #expect(mapped == owned && mapped.count == 100 && mapped[99] == 148.5)
        #expect(Array(mapped) == values && mapped.array == values)
        let slice: Double = mapped[10..<13].reduce(0, +)
        #expect(slice == 49.5)
        #expect(mapped.withUnsafeBufferPointer { $0.count } == 100)
        #expect(mapped != Self.inPlace(values.dropLast() + [0]))
    }

    @Test func mutatingAnInPlaceColumnCopiesItFirst() {
        let values: [Double] = [1, 2, 3, 4]
        let original = Self.inPlace(values)
        var a = original
        a[1] = 20
        #expect(!a.isInPlace && a == [1, 20, 3, 4])
        var b = original
        b.append(5)
        b.append(contentsOf: original)
        #expect(b == [1, 2, 3, 4, 5, 1, 2, 3, 4])
        var c = original
        c.replaceSubrange(0..<2, with: [9])
        c.removeLast()
        #expect(c == [9, 3])
        #expect(original.isInPlace && original == [1, 2, 3, 4])
    }
}
