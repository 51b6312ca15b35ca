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
        var root = TOMLTable()
        var section: String?
        // Lines cut on scalars, not Characters: grapheme breaking made parsing the built-in theme a tenth of the
        // start-up time (and "\r\n" is a single Character, so CRLF files were never cut at all).
        for (index, rawLine) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var scalars = Array(rawLine)
            if scalars.last == "\r" { scalars.removeLast() }
            var scanner = Scanner(scalars, line: lineNumber)
            scanner.skipSpace()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                scanner.advance()
                scanner.skipSpace()
                let name = try scanner.key()
                scanner.skipSpace()
                try scanner.expect("]")
                try scanner.expectEnd()
                if root[name] != nil { throw TOMLSyntaxError(line: lineNumber, message: "the table [\(name)] is defined twice") }
                try root.add(name, .table(TOMLTable()), line: lineNumber)
                section = name
                continue
            }
            let key = try scanner.key()
            scanner.skipSpace()
            try scanner.expect("=")
            scanner.skipSpace()
            let value = try scanner.value()
            try scanner.expectEnd()
            if let section {
                var table = root[section]?.table ?? TOMLTable()
                try table.add(key, value, line: lineNumber)
                root.update(section, .table(table))
            } else {
                try root.add(key, value, line: lineNumber)
            }
        }
        return root
    }

    struct Scanner {
        let chars: [Unicode.Scalar]
        var i = 0
        let line: Int
        init(_ chars: [Unicode.Scalar], line: Int) { self.chars = chars; self.line = line }

        var peek: Unicode.Scalar? { i < chars.count ? chars[i] : nil }
        mutating func advance() { i += 1 }
        var atEndOrComment: Bool { peek == nil || peek == "#" || peek == "\r" }
        mutating func skipSpace() { while peek == " " || peek == "\t" { i += 1 } }

        func fail(_ message: String) -> TOMLSyntaxError { TOMLSyntaxError(line: line, message: message) }

        mutating func expect(_ c: Unicode.Scalar) throws {
            guard peek == c else { throw fail("expected '\(c)'\(peek.map { " but found '\($0)'" } ?? " at the end of the line")") }
            i += 1
        }

        mutating func expectEnd() throws {
            skipSpace()
            guard atEndOrComment else { throw fail("unexpected '\(peek!)' after the value") }
        }

        mutating func key() throws -> String {
            if peek == "\"" { return try basicString() }
            var out = ""
            while let c = peek, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" || c == "." {
                out.unicodeScalars.append(c); i += 1
            }
            guard !out.isEmpty else { throw fail(peek.map { "expected a key but found '\($0)'" } ?? "expected a key") }
            return out
        }

        mutating func value() throws -> TOMLValue {
            guard let c = peek else { throw fail("expected a value after '='") }
            switch c {
            case "\"": return .string(try basicString())
            case "'": return .string(try literalString())
            case "[": return .array(try array())
            case "{": return .table(try inlineTable())
            case "t", "f":
                var word = ""
                while let c = peek, c.properties.isAlphabetic { word.unicodeScalars.append(c); i += 1 }
                if word == "true" { return .bool(true) }
                if word == "false" { return .bool(false) }
                throw fail("unknown value '\(word)' (strings need quotes)")
            case "-", "+", "0"..."9":
                var digits = ""
                while let c = peek, ("0"..."9").contains(c) || c == "-" || c == "+" || c == "_" { if c != "_" { digits.unicodeScalars.append(c) }; i += 1 }
                guard let n = Int(digits) else { throw fail("bad number '\(digits)'") }
                return .integer(n)
            default:
                throw fail("expected a value but found '\(c)' (strings need quotes)")
            }
        }

        mutating func basicString() throws -> String {
            try expect("\"")
            var out = ""
            while let c = peek {
                i += 1
                if c == "\"" { return out }
                if c == "\\" {
                    guard let e = peek else { break }
                    i += 1
                    switch e {
                    case "n": out += "\n"
                    case "t": out += "\t"
                    case "\"": out += "\""
                    case "\\": out += "\\"
                    case "u", "U":
                        let count = e == "u" ? 4 : 8
                        guard i + count <= chars.count,
                              let v = UInt32(String(String.UnicodeScalarView(chars[i..<(i + count)])), radix: 16),
                              let scalar = Unicode.Scalar(v) else { throw fail("bad \\\(e) escape") }
                        out.unicodeScalars.append(scalar); i += count
                    default: throw fail("unknown escape \\\(e)")
                    }
                    continue
                }
                out.unicodeScalars.append(c)
            }
            throw fail("a string is not closed with '\"'")
        }

        mutating func literalString() throws -> String {
            try expect("'")
            var out = ""
            while let c = peek {
                i += 1
                if c == "'" { return out }
                out.unicodeScalars.append(c)
            }
            throw fail("a string is not closed with \"'\"")
        }

        mutating func array() throws -> [TOMLValue] {
            try expect("[")
            var items: [TOMLValue] = []
            skipSpace()
            if peek == "]" { i += 1; return items }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                if peek == "," { i += 1; skipSpace(); if peek == "]" { i += 1; return items }; continue }
                if peek == "]" { i += 1; return items }
                throw fail(peek == nil ? "an array must close on the same line with ']'" : "expected ',' or ']' in an array")
            }
        }

        mutating func inlineTable() throws -> TOMLTable {
            try expect("{")
            var table = TOMLTable()
            skipSpace()
            if peek == "}" { i += 1; return table }
            while true {
                skipSpace()
                let k = try key()
                skipSpace()
                try expect("=")
                skipSpace()
                try table.add(k, try value(), line: line)
                skipSpace()
                if peek == "," { i += 1; continue }
                if peek == "}" { i += 1; return table }
                throw fail(peek == nil ? "an inline table must close on the same line with '}'" : "expected ',' or '}' in an inline table")
            }
        }
    }
}
