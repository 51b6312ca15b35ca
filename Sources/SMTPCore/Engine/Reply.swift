// An SMTP reply (RFC 5321 §4.2): a three-digit code, an optional enhanced status code (RFC 3463) and one or more
// text lines. Multi-line replies repeat the code on every line with "-" after all but the last.

public struct EnhancedStatusCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public let klass: Int, subject: Int, detail: Int
    public init(_ klass: Int, _ subject: Int, _ detail: Int) {
        self.klass = klass; self.subject = subject; self.detail = detail
    }
    public var description: String { "\(klass).\(subject).\(detail)" }

    /// Parses "5.1.1"; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let k = Int(parts[0]), let s = Int(parts[1]), let d = Int(parts[2]),
              [2, 4, 5].contains(k), (0...999).contains(s), (0...999).contains(d) else { return nil }
        self.init(k, s, d)
    }
}

public struct Reply: Sendable, Hashable, Codable {
    public let code: Int
    public let enhanced: EnhancedStatusCode?
    public let lines: [String]
    /// Ticks the server waits before sending this reply (0 normally). Past Postfix's soft error limit every reply
    /// is held back by smtpd_error_sleep_time (1 s = 60 ticks) to slow a confused or hostile client down. The engine
    /// reads no clock, so it only reports the delay: the simulation adds it to the reply's travel time, and
    /// `serve --stdio` sleeps for it before writing.
    public internal(set) var delayTicks = 0

    public init(_ code: Int, _ enhanced: EnhancedStatusCode?, _ lines: [String]) {
        precondition((200...599).contains(code), "reply codes are 2xx-5xx")
        self.code = code; self.enhanced = enhanced; self.lines = lines.isEmpty ? [""] : lines
    }

    public init(_ code: Int, _ enhanced: EnhancedStatusCode?, _ text: String) {
        self.init(code, enhanced, [text])
    }

    /// The reply lines as sent, without CRLF. The enhanced code goes on every line (RFC 2034 §4).
    public var wireLines: [String] {
        lines.enumerated().map { index, text in
            let sep = index == lines.count - 1 ? " " : "-"
            let prefix = enhanced.map { "\($0) " } ?? ""
            return text.isEmpty && enhanced == nil ? "\(code)\(sep)" : "\(code)\(sep)\(prefix)\(text)"
        }
    }

    /// The reply as bytes on the wire, every line ended by CRLF.
    public var wire: String { wireLines.map { $0 + "\r\n" }.joined() }

    public var replyClass: ReplyClass { ReplyClass(code: code)! }
    public var isPositive: Bool { code < 400 }
}
