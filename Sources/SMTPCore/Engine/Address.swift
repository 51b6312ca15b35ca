// Parsing of RFC 5321 paths: "<local@domain>", the null path "<>", and the special "<postmaster>".

public struct MailboxAddress: Sendable, Hashable, CustomStringConvertible {
    public let localPart: String
    public let domain: String
    public var description: String { "\(localPart)@\(domain)" }
    public var isASCII: Bool { description.utf8.allSatisfy { $0 < 0x80 } }
    public var lowercased: String { description.lowercased() }
}

enum PathParseResult: Equatable {
    case null                       // "<>"
    case postmaster                 // "<postmaster>" (RCPT only)
    case mailbox(MailboxAddress)
    case missingBrackets            // "alice@example.com" — no angle brackets
    case badAddress(String)         // inside the brackets, but not a valid mailbox
}

enum AddressParser {
    /// Splits "FROM:<a@b> SIZE=10" after the keyword into the path text and the parameter words.
    /// `text` is what follows "MAIL FROM:" / "RCPT TO:", with optional spaces first (a common leniency).
    static func splitPathAndParameters(_ text: Substring) -> (path: Substring, parameters: [Substring]) {
        // Works on UTF-8 indices: grapheme-by-grapheme scanning is needlessly slow on this hot path.
        let u = text.utf8
        var start = u.startIndex
        while start < u.endIndex && u[start] == UInt8(ascii: " ") { start = u.index(after: start) }
        let trimmed = text[start...]
        if u[start...].first == UInt8(ascii: "<"), let close = u[start...].firstIndex(of: UInt8(ascii: ">")) {
            let after = u.index(after: close)
            return (text[start..<after], words(text[after...]))
        }
        guard let space = u[start...].firstIndex(of: UInt8(ascii: " ")) else { return (trimmed, []) }
        return (text[start..<space], words(text[space...]))
    }

    private static func words(_ text: Substring) -> [Substring] {
        text.utf8.contains(UInt8(ascii: " ")) || !text.isEmpty ? text.split(separator: " ") : []
    }

    static func parsePath(_ path: Substring, allowPostmaster: Bool) -> PathParseResult {
        let u = path.utf8
        guard u.count >= 2, u.first == UInt8(ascii: "<"), u.last == UInt8(ascii: ">") else { return .missingBrackets }
        var inner = path[u.index(after: u.startIndex)..<u.index(before: u.endIndex)]
        if inner.isEmpty { return .null }
        if allowPostmaster, inner.utf8.count == 10, inner.lowercased() == "postmaster" { return .postmaster }
        // Source routes ("@a,@b:user@c") are obsolete; RFC 5321 §4.1.2 says servers accept and ignore them.
        if inner.utf8.first == UInt8(ascii: "@"), let colon = inner.utf8.firstIndex(of: UInt8(ascii: ":")) {
            inner = inner[inner.utf8.index(after: colon)...]
        }
        guard let at = inner.utf8.lastIndex(of: UInt8(ascii: "@")) else { return .badAddress("no domain: an address needs local@domain") }
        let local = inner[inner.startIndex..<at]
        let domain = inner[inner.utf8.index(after: at)...]
        if local.isEmpty { return .badAddress("the part before @ is empty") }
        if let problem = localPartProblem(local) { return .badAddress(problem) }
        if let problem = domainProblem(domain) { return .badAddress(problem) }
        return .mailbox(MailboxAddress(localPart: String(local), domain: String(domain)))
    }

    /// RFC 5322 atext as a byte table; bytes ≥ 0x80 are UTF-8 and allowed (RFC 6531 checks SMTPUTF8 separately).
    private static let atextTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8 { table[Int(b)] = true }
        for b in 0x80...0xFF { table[b] = true }
        return table
    }()

    static func localPartProblem(_ local: Substring) -> String? {
        let bytes = local.utf8
        if bytes.count > 64 { return "the local part is longer than 64 octets" }
        if bytes.first == UInt8(ascii: "\"") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return "an unterminated quoted local part" }
            var escaped = false
            for b in bytes.dropFirst().dropLast() {
                if escaped { escaped = false; continue }
                if b == UInt8(ascii: "\\") { escaped = true; continue }
                if b == UInt8(ascii: "\"") { return "a stray quote in the local part" }
                if b < 0x20 || b == 0x7F { return "a control character" }
            }
            return escaped ? "a trailing backslash in the local part" : nil
        }
        var atomLength = 0
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if atomLength == 0 { return "an empty dot-separated part (two dots in a row, or a dot at an end)" }
                atomLength = 0
                continue
            }
            guard atextTable[Int(b)] else {
                return b == UInt8(ascii: " ") ? "an unquoted space" : "the character '\(printable(b))' is not allowed unquoted"
            }
            atomLength += 1
        }
        return atomLength == 0 ? "an empty dot-separated part (two dots in a row, or a dot at an end)" : nil
    }

    static func domainProblem(_ domain: Substring) -> String? {
        let bytes = domain.utf8
        if bytes.isEmpty { return "the domain is empty" }
        if bytes.count > 255 { return "the domain is longer than 255 octets" }
        if bytes.first == UInt8(ascii: "[") {  // address literal, e.g. [192.0.2.1]
            return bytes.last == UInt8(ascii: "]") && bytes.count > 2 ? nil : "a malformed address literal"
        }
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if labelLength == 0 { return "an empty label in the domain" }
                if previous == UInt8(ascii: "-") { return "a domain label starts or ends with '-'" }
                labelLength = 0
            } else {
                let isAlnum = (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                if b == UInt8(ascii: "-") {
                    if labelLength == 0 { return "a domain label starts or ends with '-'" }
                } else if !(isAlnum || b >= 0x80) {
                    return b == UInt8(ascii: " ") ? "a space in the domain" : "the character '\(printable(b))' is not allowed in a domain"
                }
                labelLength += 1
                if labelLength > 63 { return "a domain label longer than 63 octets" }
            }
            previous = b
        }
        if labelLength == 0 { return "an empty label in the domain" }
        if previous == UInt8(ascii: "-") { return "a domain label starts or ends with '-'" }
        return nil
    }

    private static func printable(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
    }
}
