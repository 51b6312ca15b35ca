// The TOML that theme and config files use: comments, [tables], `key = value` with bare or quoted keys, strings,
// integers, booleans, one-line arrays and inline tables. Every key keeps its line so errors point at it.
// Written here rather than taken from TOMLKit: TOMLKit links all of Foundation and ICU, which alone took the app
// from about 14 to 20 MB resident — past the 15 MB budget — for a format this small.

public indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var array: [TOMLValue]? { if case .array(let a) = self { return a }; return nil }
    public var table: TOMLTable? { if case .table(let t) = self { return t }; return nil }

    var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}

public struct TOMLEntry: Equatable, Sendable {
    public let key: String
    public let value: TOMLValue
    public let line: Int
}

public struct TOMLTable: Equatable, Sendable {
    /// In file order.
    public private(set) var entries: [TOMLEntry] = []
    public init() {}
    public subscript(key: String) -> TOMLValue? { entries.first { $0.key == key }?.value }
    public func line(of key: String) -> Int? { entries.first { $0.key == key }?.line }
    mutating func add(_ key: String, _ value: TOMLValue, line: Int) throws {
        if self[key] != nil { throw TOMLSyntaxError(line: line, message: "the key \"\(key)\" is defined twice") }
        entries.append(TOMLEntry(key: key, value: value, line: line))
    }
    mutating func update(_ key: String, _ value: TOMLValue) {
        if let i = entries.firstIndex(where: { $0.key == key }) { entries[i] = TOMLEntry(key: key, value: value, line: entries[i].line) }
    }
}

public struct TOMLSyntaxError: Error, Equatable, Sendable {
    public let line: Int
    public let message: String
}

public enum TOMLParser {
    public static func parse(_ text: String) throws -> TOMLTable {
        // Scanned as UTF-8 bytes, one line at a time, in place: splitting into lines of Unicode scalars and copying
        // each into an array was most of the parser's cost, which was a tenth of the work before the first frame.
        // Every byte the grammar looks at is ASCII; other text is copied whole, so no character is ever cut.
        let bytes = Array(text.utf8)
        var root = TOMLTable()
        // The open [section], filled here and added to the root when the next one starts (or at the end): updating
        // it inside the root after every key copied the whole table each time.
        var section: (name: String, line: Int, table: TOMLTable)?
        var lineStart = 0, lineNumber = 0
        while lineStart <= bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            var scanner = Scanner(bytes, from: lineStart, to: lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") ? lineEnd - 1 : lineEnd,
                                  line: lineNumber)
            scanner.skipSpace()
            if scanner.atEndOrComment { continue }
            if scanner.peek == UInt8(ascii: "[") {
                scanner.advance()
                scanner.skipSpace()
                let name = try scanner.key()
                scanner.skipSpace()
                try scanner.expect(UInt8(ascii: "]"))
                try scanner.expectEnd()
                if root[name] != nil || section?.name == name {
                    throw TOMLSyntaxError(line: lineNumber, message: "the table [\(name)] is defined twice")
                }
                if let done = section { try root.add(done.name, .table(done.table), line: done.line) }
                section = (name, lineNumber, TOMLTable())
                continue
            }
            let key = try scanner.key()
            scanner.skipSpace()
            try scanner.expect(UInt8(ascii: "="))
            scanner.skipSpace()
            let value = try scanner.value()
            try scanner.expectEnd()
            if section != nil {
                try section?.table.add(key, value, line: lineNumber)
            } else {
                try root.add(key, value, line: lineNumber)
            }
        }
        if let done = section { try root.add(done.name, .table(done.table), line: done.line) }
        return root
    }

    /// One line of the text: bytes[i..<end].
    struct Scanner {
        let bytes: [UInt8]
        var i: Int
        let end: Int
        let line: Int
        init(_ bytes: [UInt8], from start: Int, to end: Int, line: Int) { self.bytes = bytes; i = start; self.end = end; self.line = line }

        var peek: UInt8? { i < end ? bytes[i] : nil }
        mutating func advance() { i += 1 }
        var atEndOrComment: Bool { peek == nil || peek == UInt8(ascii: "#") || peek == UInt8(ascii: "\r") }
        mutating func skipSpace() { while peek == UInt8(ascii: " ") || peek == UInt8(ascii: "\t") { i += 1 } }

        func fail(_ message: String) -> TOMLSyntaxError { TOMLSyntaxError(line: line, message: message) }

        /// The character at `at` (all of its bytes), for messages and for the few places where non-ASCII text
        /// has a meaning (letters in bare keys).
        func character(at at: Int) -> (text: String, length: Int) {
            let lead = bytes[at]
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            let text = String(decoding: bytes[at..<min(at + length, end)], as: UTF8.self)
            return (text, max(1, text.utf8.count))
        }
        var found: String { character(at: i).text }

        /// A letter (any script) at `at`: its length in bytes, or nil.
        func letter(at at: Int) -> Int? {
            let b = bytes[at]
            if b < 0x80 { return (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") ? 1 : nil }
            let c = character(at: at)
            return c.text.unicodeScalars.first?.properties.isAlphabetic == true ? c.length : nil
        }

        static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

        mutating func expect(_ c: UInt8) throws {
            guard peek == c else {
                throw fail("expected '\(Character(Unicode.Scalar(c)))'\(peek == nil ? " at the end of the line" : " but found '\(found)'")")
            }
            i += 1
        }

        mutating func expectEnd() throws {
            skipSpace()
            guard atEndOrComment else { throw fail("unexpected '\(found)' after the value") }
        }

        mutating func key() throws -> String {
            if peek == UInt8(ascii: "\"") { return try basicString() }
            let start = i
            while let b = peek {
                if Self.isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") { i += 1; continue }
                guard let length = letter(at: i) else { break }
                i += length
            }
            guard i > start else { throw fail(peek == nil ? "expected a key" : "expected a key but found '\(found)'") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func value() throws -> TOMLValue {
            guard let c = peek else { throw fail("expected a value after '='") }
            switch c {
            case UInt8(ascii: "\""): return .string(try basicString())
            case UInt8(ascii: "'"): return .string(try literalString())
            case UInt8(ascii: "["): return .array(try array())
            case UInt8(ascii: "{"): return .table(try inlineTable())
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                let start = i
                while peek != nil, let length = letter(at: i) { i += length }
                let word = String(decoding: bytes[start..<i], as: UTF8.self)
                if word == "true" { return .bool(true) }
                if word == "false" { return .bool(false) }
                throw fail("unknown value '\(word)' (strings need quotes)")
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var digits = ""
                while let b = peek, Self.isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: "_") {
                    if b != UInt8(ascii: "_") { digits.unicodeScalars.append(Unicode.Scalar(b)) }
                    i += 1
                }
                guard let n = Int(digits) else { throw fail("bad number '\(digits)'") }
                return .integer(n)
            default:
                throw fail("expected a value but found '\(found)' (strings need quotes)")
            }
        }

        mutating func basicString() throws -> String {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while let c = peek {
                i += 1
                if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    guard let e = peek else { break }
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                    case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e)
                    case UInt8(ascii: "u"), UInt8(ascii: "U"):
                        let count = e == UInt8(ascii: "u") ? 4 : 8
                        guard i + count <= end,
                              let v = UInt32(String(decoding: bytes[i..<(i + count)], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(v) else { throw fail("bad \\\(Character(Unicode.Scalar(e))) escape") }
                        out.append(contentsOf: String(Character(scalar)).utf8); i += count
                    default: throw fail("unknown escape \\\(character(at: i - 1).text)")
                    }
                    continue
                }
                out.append(c)
            }
            throw fail("a string is not closed with '\"'")
        }

        mutating func literalString() throws -> String {
            try expect(UInt8(ascii: "'"))
            let start = i
            while let c = peek {
                i += 1
                if c == UInt8(ascii: "'") { return String(decoding: bytes[start..<(i - 1)], as: UTF8.self) }
            }
            throw fail("a string is not closed with \"'\"")
        }

        mutating func array() throws -> [TOMLValue] {
            try expect(UInt8(ascii: "["))
            var items: [TOMLValue] = []
            skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return items }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; skipSpace(); if peek == UInt8(ascii: "]") { i += 1; return items }; continue }
                if peek == UInt8(ascii: "]") { i += 1; return items }
                throw fail(peek == nil ? "an array must close on the same line with ']'" : "expected ',' or ']' in an array")
            }
        }

        mutating func inlineTable() throws -> TOMLTable {
            try expect(UInt8(ascii: "{"))
            var table = TOMLTable()
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return table }
            while true {
                skipSpace()
                let k = try key()
                skipSpace()
                try expect(UInt8(ascii: "="))
                skipSpace()
                try table.add(k, try value(), line: line)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "}") { i += 1; return table }
                throw fail(peek == nil ? "an inline table must close on the same line with '}'" : "expected ',' or '}' in an inline table")
            }
        }
    }
}
