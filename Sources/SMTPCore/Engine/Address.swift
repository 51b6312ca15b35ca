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
        let trimmed = text.drop(while: { $0 == " " })
        if trimmed.first == "<", let close = trimmed.firstIndex(of: ">") {
            let path = trimmed[trimmed.startIndex...close]
            let rest = trimmed[trimmed.index(after: close)...]
            return (path, rest.split(separator: " "))
        }
        let words = trimmed.split(separator: " ", maxSplits: 1)
        return (words.first ?? "", words.count > 1 ? words[1].split(separator: " ") : [])
    }

    static func parsePath(_ path: Substring, allowPostmaster: Bool) -> PathParseResult {
        guard path.first == "<", path.last == ">", path.count >= 2 else { return .missingBrackets }
        var inner = path.dropFirst().dropLast()
        if inner.isEmpty { return .null }
        if allowPostmaster, inner.lowercased() == "postmaster" { return .postmaster }
        // Source routes ("@a,@b:user@c") are obsolete; RFC 5321 §4.1.2 says servers accept and ignore them.
        if inner.first == "@", let colon = inner.firstIndex(of: ":") { inner = inner[inner.index(after: colon)...] }
        guard let at = inner.lastIndex(of: "@") else { return .badAddress("no domain: an address needs local@domain") }
        let local = inner[inner.startIndex..<at]
        let domain = inner[inner.index(after: at)...]
        if local.isEmpty { return .badAddress("the part before @ is empty") }
        if let problem = localPartProblem(local) { return .badAddress(problem) }
        if let problem = domainProblem(domain) { return .badAddress(problem) }
        return .mailbox(MailboxAddress(localPart: String(local), domain: String(domain)))
    }

    private static let atext: Set<Character> = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")

    private static func isAtext(_ c: Character) -> Bool {
        atext.contains(c) || (c.unicodeScalars.first.map { $0.value >= 0x80 } ?? false)  // UTF-8 per RFC 6531
    }

    static func localPartProblem(_ local: Substring) -> String? {
        if local.utf8.count > 64 { return "the local part is longer than 64 octets" }
        if local.first == "\"" {
            guard local.count >= 2, local.last == "\"" else { return "an unterminated quoted local part" }
            var escaped = false
            for c in local.dropFirst().dropLast() {
                if escaped { escaped = false; continue }
                if c == "\\" { escaped = true; continue }
                if c == "\"" { return "a stray quote in the local part" }
                if let v = c.unicodeScalars.first?.value, v < 0x20 || v == 0x7F { return "a control character" }
            }
            return escaped ? "a trailing backslash in the local part" : nil
        }
        for atom in local.split(separator: ".", omittingEmptySubsequences: false) {
            if atom.isEmpty { return "an empty dot-separated part (two dots in a row, or a dot at an end)" }
            if let bad = atom.first(where: { !isAtext($0) }) {
                return bad == " " ? "an unquoted space" : "the character '\(bad)' is not allowed unquoted"
            }
        }
        return nil
    }

    static func domainProblem(_ domain: Substring) -> String? {
        if domain.isEmpty { return "the domain is empty" }
        if domain.utf8.count > 255 { return "the domain is longer than 255 octets" }
        if domain.first == "[" {  // address literal, e.g. [192.0.2.1]
            return domain.last == "]" && domain.count > 2 ? nil : "a malformed address literal"
        }
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "an empty label in the domain" }
            if label.utf8.count > 63 { return "a domain label longer than 63 octets" }
            if label.first == "-" || label.last == "-" { return "a domain label starts or ends with '-'" }
            for c in label where !(c.isLetter || c.isNumber || c == "-") {
                return c == " " ? "a space in the domain" : "the character '\(c)' is not allowed in a domain"
            }
        }
        return nil
    }
}
