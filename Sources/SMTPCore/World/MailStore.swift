// What the world remembers between sessions: delivered messages per mailbox, mail queued for other domains, and
// the greylist's first-seen ticks. A value, so tests and the UI can copy and compare it.

public struct StoredMessage: Sendable, Equatable, Identifiable, Codable {
    /// The queue id the server announced in "250 2.0.0 Ok: queued as …".
    public let id: String
    public let envelopeFrom: String          // "" for the null path <>
    public let recipients: [String]
    /// Header lines as stored, the server's own (Return-Path, Received, …) first.
    public let headers: [String]
    /// The header lines as octets, exactly as the client sent its own (no UTF-8 repair); folded lines joined by LF.
    public let headerBytes: [[UInt8]]
    /// The body lines joined by LF, kept as one buffer so delivering a message allocates once, not per line.
    public let bodyText: [UInt8]
    /// True when the message had no body line at all (an empty `bodyText` may also be one empty line).
    public let bodyIsEmpty: Bool
    public var body: [String] {
        bodyIsEmpty ? [] : bodyText.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
    public let receivedAtTick: Int
    /// Octets of the message as received (after dot-unstuffing, CRLF line ends; for BDAT the chunks' octets).
    public let size: Int
    /// Sent with BDAT (RFC 3030): the message exactly as the client sent it, its chunks joined, byte for byte
    /// (binary, bare CR or LF, NUL and all). `headers`/`body` are a line-by-line reading of it for display. Nil
    /// after DATA, whose content the line fields hold completely (dot-unstuffed).
    public let rawContent: [UInt8]?
    /// How many of `headers`, from the first, this server put in front of the client's content (Return-Path:,
    /// Received:, and for a BDAT message on submission the completed Message-ID:/Date:/From:).
    public let addedHeaderCount: Int
    /// The delivery status notification request (RFC 3461) made with MAIL and RCPT, or nil when there was none.
    public let dsn: DSNEnvelope?
    /// Octets in the longest text line of a DATA message (without CRLF); 0 when not measured (BDAT, bounces).
    public let longestLine: Int

    public init(id: String, envelopeFrom: String, recipients: [String], headers: [String], headerBytes: [[UInt8]]? = nil,
                bodyText: [UInt8], bodyIsEmpty: Bool, receivedAtTick: Int, size: Int, rawContent: [UInt8]? = nil,
                addedHeaderCount: Int = 0, dsn: DSNEnvelope? = nil, longestLine: Int = 0) {
        self.id = id; self.envelopeFrom = envelopeFrom; self.recipients = recipients; self.headers = headers
        self.headerBytes = headerBytes ?? headers.map { Array($0.utf8) }
        self.bodyText = bodyText; self.bodyIsEmpty = bodyIsEmpty; self.receivedAtTick = receivedAtTick; self.size = size
        self.rawContent = rawContent; self.addedHeaderCount = addedHeaderCount; self.dsn = dsn
        self.longestLine = longestLine
    }

    /// The message as a mailbox file would hold it, CRLF line ends: for BDAT the added headers then the client's
    /// octets unchanged; for DATA every line.
    public var fileBytes: [UInt8] {
        // Folded headers (Received:) hold "\n\t" between their lines: CRLF on the wire too.
        func crlf(_ line: String) -> String { line.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") }
        if let raw = rawContent {
            return Array(headers.prefix(addedHeaderCount).map { crlf($0) + "\r\n" }.joined().utf8) + raw
        }
        return Array(lines.map { crlf($0) + "\r\n" }.joined().utf8)
    }

    public func header(_ name: String) -> String? {
        let prefix = name.lowercased() + ":"
        return headers.first { $0.lowercased().hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)).trimmingLeadingSpaces() }
    }

    /// The whole message as lines, headers then a blank line then the body.
    public var lines: [String] { headers + [""] + body }
}

public struct MailStore: Sendable, Equatable {
    /// Delivered messages by lower-cased mailbox address.
    public var inboxes: [String: [StoredMessage]] = [:]
    /// Messages accepted for other domains (relayed after AUTH, or forwarded): they would leave for the next hop.
    public var outbound: [StoredMessage] = []
    /// Greylisting memory: "sender|recipient" → tick of the first attempt.
    public var greylist: [String: Int] = [:]

    public init() {}

    public func inbox(_ address: String) -> [StoredMessage] { inboxes[address.lowercased()] ?? [] }
    public var deliveredCount: Int { inboxes.values.reduce(0) { $0 + $1.count } }
}

extension String {
    func trimmingLeadingSpaces() -> String { String(drop(while: { $0 == " " || $0 == "\t" })) }
}
