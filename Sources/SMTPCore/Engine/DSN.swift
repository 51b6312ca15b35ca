// Delivery status notification requests (RFC 3461), as a client gives them with MAIL (RET=, ENVID=) and RCPT
// (NOTIFY=, ORCPT=). The engine parses and checks them and keeps them with the stored message, so whoever
// writes a bounce or a success notice later can honour what the sender asked for.

/// RET= on MAIL (RFC 3461 §4.3): what a failure notice should carry of the original message.
public enum DSNReturn: String, Sendable, Equatable, Codable {
    /// The whole message.
    case full = "FULL"
    /// Only its headers.
    case headers = "HDRS"
}

/// NOTIFY= on RCPT (RFC 3461 §4.1). The empty set is NOTIFY=NEVER: no notice at all, not even on failure.
public struct DSNNotify: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let success = DSNNotify(rawValue: 1)
    public static let failure = DSNNotify(rawValue: 2)
    public static let delay = DSNNotify(rawValue: 4)
    public static let never: DSNNotify = []
}

/// ORCPT= on RCPT (RFC 3461 §4.2): the recipient as the original sender wrote it, e.g. rfc822;bob@domain.com,
/// before any forwarding changed it. `address` is the decoded xtext.
public struct DSNOriginalRecipient: Sendable, Equatable, Codable {
    public let addressType: String
    public let address: String
    public init(addressType: String, address: String) { self.addressType = addressType; self.address = address }
}

/// What one accepted recipient asked for.
public struct DSNRecipient: Sendable, Equatable, Codable {
    public let address: String
    /// nil when NOTIFY= was not given (then the server's default applies: a notice on failure).
    public let notify: DSNNotify?
    public let orcpt: DSNOriginalRecipient?
    public init(address: String, notify: DSNNotify?, orcpt: DSNOriginalRecipient?) {
        self.address = address; self.notify = notify; self.orcpt = orcpt
    }
}

/// The DSN request of one transaction.
public struct DSNEnvelope: Sendable, Equatable, Codable {
    public let ret: DSNReturn?
    /// ENVID= (RFC 3461 §4.4), decoded: the sender's own id for this transaction, echoed in every notice.
    public let envid: String?
    /// One entry per accepted recipient, in the order of `StoredMessage.recipients`.
    public let recipients: [DSNRecipient]
    public init(ret: DSNReturn?, envid: String?, recipients: [DSNRecipient]) {
        self.ret = ret; self.envid = envid; self.recipients = recipients
    }

    public func recipient(_ address: String) -> DSNRecipient? {
        recipients.first { $0.address.lowercased() == address.lowercased() }
    }
}

extension DSNNotify {
    /// The keyword list as RCPT carries it (RFC 3461 §4.1): NEVER, or SUCCESS, FAILURE and DELAY in that order.
    public var keywords: String {
        if isEmpty { return "NEVER" }
        return [(DSNNotify.success, "SUCCESS"), (.failure, "FAILURE"), (.delay, "DELAY")]
            .filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}

extension DSNEnvelope {
    /// What the sender asked to hear about `address` (RFC 3461 §4.1). Without NOTIFY= a server may take FAILURE
    /// or FAILURE,DELAY; this one takes FAILURE, as Postfix does by default (delay_warning_time = 0).
    public func notify(for address: String) -> DSNNotify {
        recipient(address)?.notify ?? .failure
    }

    /// MAIL's DSN parameters as a relay passes them on (RFC 3461 §5.2.1: the same values, only those received).
    public var mailParameters: String {
        (ret.map { " RET=\($0.rawValue)" } ?? "") + (envid.map { " ENVID=\(XText.encode($0))" } ?? "")
    }

    /// RCPT's DSN parameters for `address`, as a relay passes them on.
    public func rcptParameters(for address: String) -> String {
        guard let r = recipient(address) else { return "" }
        return (r.notify.map { " NOTIFY=\($0.keywords)" } ?? "")
            + (r.orcpt.map { " ORCPT=\($0.addressType);\(XText.encode($0.address))" } ?? "")
    }
}

/// How a message treats DSN requests when no MAIL or RCPT asked for anything: a failure notice, nothing else.
public extension Optional where Wrapped == DSNEnvelope {
    func notify(for address: String) -> DSNNotify { self?.notify(for: address) ?? .failure }
}

enum XText {
    /// Encodes RFC 3461 §4 xtext: "+", "=" and every octet outside 33–126 as "+XX".
    static func encode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            if b >= 33 && b <= 126 && b != UInt8(ascii: "+") && b != UInt8(ascii: "=") {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "+" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// Decodes RFC 3461 §4 xtext: printable ASCII except "+" and "=", with "+XX" (two upper-case hex digits) for
    /// any other octet. Nil when malformed.
    static func decode(_ text: Substring) -> String? {
        var out: [UInt8] = []
        var i = text.utf8.startIndex
        let u = text.utf8
        while i < u.endIndex {
            let b = u[i]
            if b == UInt8(ascii: "+") {
                let h1 = u.index(after: i)
                guard h1 < u.endIndex else { return nil }
                let h2 = u.index(after: h1)
                guard h2 < u.endIndex, let hi = hex(u[h1]), let lo = hex(u[h2]) else { return nil }
                out.append(hi << 4 | lo)
                i = u.index(after: h2)
                continue
            }
            guard b >= 33 && b <= 126 && b != UInt8(ascii: "=") else { return nil }
            out.append(b)
            i = u.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
