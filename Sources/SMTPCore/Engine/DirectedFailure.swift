// Directed failures: replies a developer (or a live mission) asks the server to give on purpose, so that a
// client's error handling can be tested deterministically — "the second RCPT of each transaction gets 452 4.5.3",
// "the first DATA of each session gets 451 4.3.0" — rather than by chance. The failure replaces the command's own
// reply and the command is not run, as if the server had refused it for its own reasons.

public struct DirectedFailure: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The command it answers ("RCPT", "DATA", …), or "." for the end of a message (after DATA's final dot or
    /// BDAT … LAST): the message is then refused instead of queued.
    public let verb: String
    /// Which one: the Nth of the transaction for MAIL and RCPT (counting restarts with each MAIL), the Nth of the
    /// session for every other command; nil for every one.
    public let occurrence: Int?
    public let reply: Reply

    public init(verb: String, occurrence: Int?, reply: Reply) {
        self.verb = verb; self.occurrence = occurrence; self.reply = reply
    }

    /// Parses `VERB[#N] CODE [X.Y.Z] [text]`, e.g. `RCPT#2 452 4.5.3 Error: too many recipients`, `DATA#1 451 4.3.0`,
    /// `.#1 554 5.7.1 Message rejected`. Only 4xx and 5xx codes: a directed failure never pretends success.
    public init?(parsing text: String) {
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 2 else { return nil }
        let target = words.removeFirst().uppercased()
        let parts = target.split(separator: "#", omittingEmptySubsequences: false)
        guard parts.count <= 2, let verbPart = parts.first, !verbPart.isEmpty,
              verbPart == "." || verbPart.allSatisfy({ $0.isLetter }) else { return nil }
        var occurrence: Int?
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 1 else { return nil }
            occurrence = n
        }
        guard let code = Int(words.removeFirst()), (400...599).contains(code) else { return nil }
        var enhanced: EnhancedStatusCode?
        if let first = words.first, let e = EnhancedStatusCode(parsing: Substring(first)) {
            guard e.klass == code / 100 else { return nil }
            enhanced = e
            words.removeFirst()
        }
        let message = words.isEmpty ? "Error: refused on purpose (a directed failure)" : words.joined(separator: " ")
        guard message.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }), message.utf8.count <= 200 else { return nil }
        self.init(verb: String(verbPart), occurrence: occurrence, reply: Reply(code, enhanced, message))
    }

    public var description: String {
        (verb == "." ? "." : verb) + (occurrence.map { "#\($0)" } ?? "") + " " + reply.wireLines[0]
    }

    /// What a learner or developer reads: "the 2nd RCPT of each transaction gets 452 4.5.3 …".
    public var explanation: String {
        let which: String
        switch (verb, occurrence) {
        case (".", nil): which = "every message's end"
        case (".", let n?): which = "the end of the \(Self.ordinal(n)) message of each session"
        case ("MAIL", let n?), ("RCPT", let n?): which = "the \(Self.ordinal(n)) \(verb) of each transaction"
        case (_, let n?): which = "the \(Self.ordinal(n)) \(verb) of each session"
        case (_, nil): which = "every \(verb)"
        }
        return "\(which) gets \(reply.wireLines[0])"
    }

    static func ordinal(_ n: Int) -> String {
        let suffix = (11...13).contains(n % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }
}

extension ServerSession {
    /// Counts `verb` and says whether a directed failure answers it. MAIL and RCPT count within the transaction
    /// (MAIL starts one), everything else within the session.
    mutating func directedFailure(for verb: String) -> Reply? {
        guard !directedFailures.isEmpty else { return nil }
        if verb == "MAIL" { directedCounts["RCPT"] = 0; directedCounts["MAIL"] = 0 }
        let n = (directedCounts[verb] ?? 0) + 1
        directedCounts[verb] = n
        return directedFailures.first { $0.verb == verb && ($0.occurrence == nil || $0.occurrence == n) }?.reply
    }
}
