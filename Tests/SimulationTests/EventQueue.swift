/// A simulation's future: what happens when, in time order (ties in the order scheduled).
struct EventQueue<Run> {
    struct Entry {
        var time: Int64
        var order: UInt64
        var label: String
        var run: Run
    }

    private var heap: [Entry] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }

    mutating func push(at time: Int64, _ label: String, _ run: Run) {
        counter += 1
        heap.append(Entry(time: time, order: counter, label: label, run: run))
        var k = heap.count - 1
        while k > 0 {
            let parent = (k - 1) / 2
            guard Self.before(heap[k], heap[parent]) else { break }
            heap.swapAt(k, parent)
            k = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var k = 0
        while true {
            let l = 2 * k + 1
            let r = l + 1
            var m = k
            if l < heap.count && Self.before(heap[l], heap[m]) { m = l }
            if r < heap.count && Self.before(heap[r], heap[m]) { m = r }
            if m == k { break }
            heap.swapAt(k, m)
            k = m
        }
        return top
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.time != b.time ? a.time < b.time : a.order < b.order
    }
}
