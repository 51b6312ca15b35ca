// Parsing of RFC 5321 paths: "<local@domain>", the null path "<>", the special "<postmaster>", and (as Postfix
// tolerates with strict_rfc821_envelopes = no) "<alice>" without a domain, which the session qualifies.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// "<alice>": a local part without a domain. Postfix appends "@$myorigin" (append_at_myorigin = yes).
    case unqualified(localPart: String)
    case missingBrackets            // "alice@example.com" — no angle brackets
    case badAddress(String)         // inside the brackets, but not a valid mailbox
}

enum AddressParser {
    /// Splits "FROM:<a@b> SIZE=10" after the keyword into the path text and the parameter words.
    /// `text` is what follows "MAIL FROM:" / "RCPT TO:", with any number of spaces first (Postfix accepts them,
    /// strict_rfc821_envelopes = no; RFC 5321's grammar has none). `junkAfterPath` is true when something other
    /// than a space follows the closing ">" (e.g. "<a@b.c>>"): a syntax error, not an unknown parameter.
    static func splitPathAndParameters(_ text: Substring) -> (path: Substring, parameters: [Substring], junkAfterPath: Bool) {
        // Works on UTF-8 indices: grapheme-by-grapheme scanning is needlessly slow on this hot path.
        let u = text.utf8
        var start = u.startIndex
        while start < u.endIndex && u[start] == UInt8(ascii: " ") { start = u.index(after: start) }
        let trimmed = text[start...]
        if u[start...].first == UInt8(ascii: "<"), let close = u[start...].firstIndex(of: UInt8(ascii: ">")) {
            let after = u.index(after: close)
            let junk = after < u.endIndex && u[after] != UInt8(ascii: " ")
            return (text[start..<after], words(text[after...]), junk)
        }
        guard let space = u[start...].firstIndex(of: UInt8(ascii: " ")) else { return (trimmed, [], false) }
        return (text[start..<space], words(text[space...]), false)
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
        guard let at = inner.utf8.lastIndex(of: UInt8(ascii: "@")) else {
            if let problem = localPartProblem(inner) { return .badAddress(problem) }
            return .unqualified(localPart: canonicalLocalPart(inner))
        }
        let local = inner[inner.startIndex..<at]
        let domain = inner[inner.utf8.index(after: at)...]
        if local.isEmpty { return .badAddress("the part before @ is empty") }
        if let problem = localPartProblem(local) { return .badAddress(problem) }
        if let problem = domainProblem(domain) { return .badAddress(problem) }
        return .mailbox(MailboxAddress(localPart: canonicalLocalPart(local), domain: String(domain)))
    }

    /// A quoted local part that needs no quoting is the same mailbox unquoted: "bob"@domain.com is bob@domain.com
    /// (RFC 5321 §4.1.2 asks senders not to quote needlessly; Postfix keeps addresses in this unquoted internal
    /// form). A local part that really needs its quotes ("bob smith") keeps them, as sent.
    static func canonicalLocalPart(_ local: Substring) -> String {
        let u = local.utf8
        guard u.count >= 2, u.first == UInt8(ascii: "\""), u.last == UInt8(ascii: "\"") else { return String(local) }
        var unquoted: [UInt8] = []
        var escaped = false
        for b in u.dropFirst().dropLast() {
            if !escaped && b == UInt8(ascii: "\\") { escaped = true; continue }
            escaped = false
            unquoted.append(b)
        }
        var atom = 0
        for b in unquoted {
            if b == UInt8(ascii: ".") {
                if atom == 0 { return String(local) }
                atom = 0
            } else if atextTable[Int(b)] {
                atom += 1
            } else {
                return String(local)
            }
        }
        return atom == 0 ? String(local) : String(decoding: unquoted, as: UTF8.self)
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
        // No 64-octet limit here: RFC 5321 §4.5.3.1.1 sets it, but §4.5.3.1 tells servers to accept longer
        // objects where they can, and Postfix does.
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
        if bytes.first == UInt8(ascii: "[") {  // address literal, e.g. [192.0.2.1] or [IPv6:2001:db8::1]
            guard bytes.last == UInt8(ascii: "]"), bytes.count > 2 else { return "a malformed address literal" }
            let inner = domain.dropFirst().dropLast()
            return isAddressLiteral(inner) ? nil : "a domain literal that is not an IPv4 or IPv6 address literal"
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

    /// RFC 5321 §4.1.3: an IPv4 dotted quad (each part 0–255) or "IPv6:" and an IPv6 address. The general
    /// "tag:content" form needs a registered tag, and IPv6 is the only one.
    static func isAddressLiteral(_ text: Substring) -> Bool {
        if text.utf8.count > 5, Self.hasPrefixIgnoringCase(text, "IPv6:") {
            var buffer = in6_addr()
            return inet_pton(AF_INET6, String(text.dropFirst(5)), &buffer) == 1
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let value = Int(part), value <= 255 else { return false }
        }
        return true
    }

    private static func hasPrefixIgnoringCase(_ text: Substring, _ prefix: String) -> Bool {
        text.utf8.count >= prefix.utf8.count && text.prefix(prefix.count).lowercased() == prefix.lowercased()
    }

    private static func printable(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
    }
}
