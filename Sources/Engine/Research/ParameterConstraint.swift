/// A sweep's `--where` condition on its parameters (`fast < slow && slow - fast >= 10`), parsed
/// and type-checked once, at creation, so that a typo is refused with its column rather than
/// discovered by a worker. Numbers, `+ - * /`, comparisons, `&& || !`, parentheses, and the
/// parameters by name; a choice parameter is text and compares with `==` and `!=` to a quoted
/// string (`kind == 'ema'`).
public struct ParameterConstraint: Sendable, Hashable, Codable, CustomStringConvertible {
    public let text: String
    private let root: Node
    private let textNames: Set<String>
    private let numberNames: Set<String>

    indirect enum Node: Sendable, Hashable {
        case number(Double)
        case text(String)
        case name(String)
        case negate(Node)
        case not(Node)
        case binary(String, Node, Node)
    }

    enum Kind: Equatable {
        case number, text, truth
    }

    /// Parses `text` over parameters whose kinds are given (true: text, a choice); errors say
    /// where (`where: column 7: …`).
    public init(parsing text: String, textNames: Set<String>, numberNames: Set<String>) throws(SpecError) {
        var parser = Parser(text: text, textNames: textNames, numberNames: numberNames)
        let (root, kind) = try parser.parse()
        guard kind == .truth else { throw SpecError(field: "where", reason: "the condition must be true or false") }
        self.text = text
        self.root = root
        self.textNames = textNames
        self.numberNames = numberNames
    }

    /// Whether `point` satisfies the condition.
    public func accepts(_ point: [String: ParameterValue]) -> Bool {
        if case .truth(let b) = Self.evaluate(root, point) { return b }
        return false
    }

    public var description: String { text }

    private enum CodingKeys: String, CodingKey {
        case text = "where", textNames = "text_names", numberNames = "number_names"
    }

    /// Stored with the kinds of the names it was checked against, and parsed again when read.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .text)
        let textNames = try c.decode(Set<String>.self, forKey: .textNames)
        let numberNames = try c.decode(Set<String>.self, forKey: .numberNames)
        try self.init(parsing: text, textNames: textNames, numberNames: numberNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encode(textNames.sorted(), forKey: .textNames)
        try c.encode(numberNames.sorted(), forKey: .numberNames)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.text == b.text && a.textNames == b.textNames && a.numberNames == b.numberNames
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    enum Value {
        case number(Double)
        case text(String)
        case truth(Bool)
    }

    static func evaluate(_ node: Node, _ point: [String: ParameterValue]) -> Value {
        switch node {
        case .number(let v): return .number(v)
        case .text(let s): return .text(s)
        case .name(let n):
            switch point[n] {
            case .int(let v)?: return .number(Double(v))
            case .double(let v)?: return .number(v)
            case .bool(let v)?: return .number(v ? 1 : 0)
            case .string(let s)?: return .text(s)
            case nil: return .number(.nan)
            }
        case .negate(let a):
            if case .number(let v) = evaluate(a, point) { return .number(-v) }
            return .number(.nan)
        case .not(let a):
            if case .truth(let b) = evaluate(a, point) { return .truth(!b) }
            return .truth(false)
        case .binary(let op, let a, let b):
            let (x, y) = (evaluate(a, point), evaluate(b, point))
            switch (x, y) {
            case (.number(let p), .number(let q)):
                switch op {
                case "+": return .number(p + q)
                case "-": return .number(p - q)
                case "*": return .number(p * q)
                case "/": return .number(p / q)
                case "<": return .truth(p < q)
                case "<=": return .truth(p <= q)
                case ">": return .truth(p > q)
                case ">=": return .truth(p >= q)
                case "==": return .truth(p == q)
                default: return .truth(p != q)
                }
            case (.text(let p), .text(let q)): return .truth(op == "==" ? p == q : p != q)
            case (.truth(let p), .truth(let q)): return .truth(op == "&&" ? p && q : p || q)
            default: return .truth(false)
            }
        }
    }

    /// Recursive descent over the characters, with each node's kind checked as it is built.
    struct Parser {
        let chars: [Character]
        let textNames: Set<String>
        let numberNames: Set<String>
        var i = 0

        init(text: String, textNames: Set<String>, numberNames: Set<String>) {
            chars = Array(text)
            self.textNames = textNames
            self.numberNames = numberNames
        }

        func error(_ reason: String, at column: Int? = nil) -> SpecError {
            SpecError(field: "where", reason: "column \((column ?? i) + 1): \(reason)")
        }

        mutating func parse() throws(SpecError) -> (Node, Kind) {
            let result = try or()
            skipSpaces()
            guard i == chars.count else { throw error("unexpected \"\(chars[i])\"") }
            return result
        }

        mutating func skipSpaces() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

        mutating func take(_ token: String) -> Bool {
            skipSpaces()
            let t = Array(token)
            guard i + t.count <= chars.count, Array(chars[i..<i + t.count]) == t else { return false }
            // `<` is not the start of `<=`, nor `!` of `!=`.
            if (token == "<" || token == ">" || token == "!") && i + 1 < chars.count && chars[i + 1] == "=" {
                return false
            }
            i += t.count
            return true
        }

        mutating func or() throws(SpecError) -> (Node, Kind) {
            var (left, kind) = try and()
            while take("||") {
                let at = i
                let (right, rk) = try and()
                guard kind == .truth, rk == .truth else { throw error("|| joins conditions", at: at) }
                left = .binary("||", left, right)
                kind = .truth
            }
            return (left, kind)
        }

        mutating func and() throws(SpecError) -> (Node, Kind) {
            var (left, kind) = try not()
            while take("&&") {
                let at = i
                let (right, rk) = try not()
                guard kind == .truth, rk == .truth else { throw error("&& joins conditions", at: at) }
                left = .binary("&&", left, right)
                kind = .truth
            }
            return (left, kind)
        }

        mutating func not() throws(SpecError) -> (Node, Kind) {
            if take("!") {
                let at = i
                let (inner, kind) = try not()
                guard kind == .truth else { throw error("! negates a condition", at: at) }
                return (.not(inner), .truth)
            }
            return try comparison()
        }

        mutating func comparison() throws(SpecError) -> (Node, Kind) {
            let (left, kind) = try sum()
            for op in ["<=", ">=", "==", "!=", "<", ">"] {
                let at = i
                if take(op) {
                    let (right, rk) = try sum()
                    guard kind == rk, kind != .truth else {
                        throw error("\(op) compares two numbers or two texts", at: at)
                    }
                    guard kind == .number || op == "==" || op == "!=" else {
                        throw error("texts compare with == and != only", at: at)
                    }
                    return (.binary(op, left, right), .truth)
                }
            }
            return (left, kind)
        }

        mutating func sum() throws(SpecError) -> (Node, Kind) {
            var (left, kind) = try product()
            while true {
                let at = i
                guard let op = take("+") ? "+" : take("-") ? "-" : nil else { return (left, kind) }
                let (right, rk) = try product()
                guard kind == .number, rk == .number else { throw error("\(op) takes numbers", at: at) }
                left = .binary(op, left, right)
            }
        }

        mutating func product() throws(SpecError) -> (Node, Kind) {
            var (left, kind) = try unary()
            while true {
                let at = i
                guard let op = take("*") ? "*" : take("/") ? "/" : nil else { return (left, kind) }
                let (right, rk) = try unary()
                guard kind == .number, rk == .number else { throw error("\(op) takes numbers", at: at) }
                left = .binary(op, left, right)
            }
        }

        mutating func unary() throws(SpecError) -> (Node, Kind) {
            let at = i
            if take("-") {
                let (inner, kind) = try unary()
                guard kind == .number else { throw error("- takes a number", at: at) }
                return (.negate(inner), .number)
            }
            return try primary()
        }

        mutating func primary() throws(SpecError) -> (Node, Kind) {
            skipSpaces()
            guard i < chars.count else { throw error("the condition ends too soon") }
            let start = i
            let c = chars[i]
            if take("(") {
                let inner = try or()
                guard take(")") else { throw error("expected )") }
                return inner
            }
            if c == "'" || c == "\"" {
                i += 1
                while i < chars.count && chars[i] != c { i += 1 }
                guard i < chars.count else { throw error("the text is not closed", at: start) }
                i += 1
                return (.text(String(chars[start + 1..<i - 1])), .text)
            }
            if c.isNumber || c == "." {
                while i < chars.count
                    && (chars[i].isNumber || chars[i] == "." || chars[i] == "e" || chars[i] == "E"
                        || ((chars[i] == "-" || chars[i] == "+") && (chars[i - 1] == "e" || chars[i - 1] == "E")))
                {
                    i += 1
                }
                guard let v = Double(String(chars[start..<i])) else {
                    throw error("not a number: \(String(chars[start..<i]))", at: start)
                }
                return (.number(v), .number)
            }
            if c.isLetter || c == "_" {
                while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_") { i += 1 }
                let name = String(chars[start..<i])
                if textNames.contains(name) { return (.name(name), .text) }
                guard numberNames.contains(name) else {
                    throw error("no parameter \"\(name)\" in the sweep", at: start)
                }
                return (.name(name), .number)
            }
            throw error("unexpected \"\(c)\"")
        }
    }
}
