import ATSEngine

extension SeededRandom {
    /// A decimal of 1 to `maxDigits` random digits with a point anywhere among them, or none
    /// ("12.", ".25", "007"): the shapes the CSV readers' number paths must agree on.
    mutating func decimalText(maxDigits: Int) -> String {
        let digits = Int(next() % UInt64(maxDigits)) + 1
        let point = Int(next() % UInt64(digits + 1))
        var text = String((0..<digits).map { _ in Character(String(next() % 10)) })
        if point < digits { text.insert(".", at: text.index(text.startIndex, offsetBy: point)) }
        return text
    }
}
