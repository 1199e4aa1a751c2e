import Foundation
import Testing

@testable import ATSEngine

struct ColumnBlockTests {
    /// A mapped block of eight columns of `stride` bytes, every page written.
    func written(stride: Int) -> UnsafeMutableRawPointer {
        let p = mmap(nil, stride * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        memset(p, 0x5A, stride * 8)
        return p
    }

    @Test func aLargeBlockIsGivenBackWithOrWithoutAThreadToHelp() {
        // Above the size freed on two threads: given back (its address range free again) when a
        // helper runs, and when the system refuses one (the call returns: it does not wait for a
        // thread that never started).
        let stride = ColumnBlock.parallelReleaseFrom / 8 + 4096
        for refused in [false, true] {
            let p = written(stride: stride)
            DetachedThread.$refused.withValue(refused) { ColumnBlock.release(p, stride * 8) }
            // The range is unmapped: mincore refuses it.
            var residency = [UInt8](repeating: 0, count: stride * 8 / 4096)
            #expect(mincore(p, stride * 8, &residency) == -1 && errno == ENOMEM, "refused threads: \(refused)")
        }
    }
}
