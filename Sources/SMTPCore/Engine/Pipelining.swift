// PIPELINING (RFC 2920) as one table: after which lines a client must wait for the reply before it sends anything
// more, and which of those waits a server checks. The engine (serve and the simulation), the story loader and the
// learner's pane all ask this file, so a lesson can never act out what the server refuses.
//
// Two sides of one rule:
// - What a client must do (`PipeliningRule.after`): RFC 2920 §3.1 lets EHLO, DATA, VRFY, EXPN, TURN, QUIT and
//   NOOP only end a group (HELO is EHLO's older twin); RFC 3207 §4 adds STARTTLS and RFC 4954 §4 AUTH, except an
//   AUTH PLAIN that carries its credentials; an AUTH challenge is answered only after it arrived; and a client may
//   pipeline only once the EHLO reply has offered PIPELINING. The greeting, too, is waited for (RFC 5321 §3.1).
// - What this server checks (`ServerSession.checksSynchronization`), as Postfix 3.9 does by default
//   (smtpd_forbid_unauth_pipelining = yes): before it runs EHLO, HELO, DATA, NOOP or VRFY (Postfix's commands
//   flagged "last in a group"; EXPN and TURN too, which RFC 2920 names and this server recognises), or any command
//   before EHLO or after HELO, it looks whether more input is already waiting; so it does before its greeting. If
//   so it answers `554 5.5.0 Error: SMTP protocol synchronization` instead and hangs up. STARTTLS is not checked
//   there: what follows it is thrown away (RFC 3207 §4.2), as Postfix does; AUTH is not checked either.

/// A wait the client owes the server: it must see the reply to this line before sending more.
public enum PipeliningRule: Sendable, Equatable {
    /// The 220 greeting: a client speaks only after it.
    case greeting
    /// A command that may only be the last of a group (RFC 2920 §3.1, RFC 3207 §4, RFC 4954 §4).
    case endsGroup(verb: String)
    /// One answer in an AUTH exchange: the next challenge (334) or the result comes first.
    case authResponse
    /// No EHLO reply has offered PIPELINING yet (none at all, after HELO, or since STARTTLS): one command at a time.
    case notOffered(verb: String)

    /// Where the rule is written.
    public var citation: String {
        switch self {
        case .greeting: return "RFC 5321 §3.1"
        case .endsGroup(let verb):
            switch verb {
            case "STARTTLS": return "RFC 3207 §4"
            case "AUTH": return "RFC 4954 §4"
            default: return "RFC 2920 §3.1"
            }
        case .authResponse: return "RFC 4954 §4"
        case .notOffered: return "RFC 2920 §3.1"
        }
    }

    /// The rule in one sentence, for error messages and the learner's pane.
    public var explanation: String {
        switch self {
        case .greeting:
            return "a client waits for the server's 220 greeting before it sends anything (\(citation))"
        case .endsGroup(let verb):
            switch verb {
            case "DATA":
                return "DATA may only end a group, and the message is sent only after the 354 (\(citation))"
            case "STARTTLS":
                return "STARTTLS must be the last command of a group: TLS starts before anything else is said (\(citation))"
            case "AUTH":
                return "AUTH must be the last command of a group unless it carries its whole answer, as AUTH PLAIN with credentials does (\(citation))"
            default:
                return "\(verb) may only be the last command of a group: its reply changes what comes next (\(citation))"
            }
        case .authResponse:
            return "each line of an AUTH exchange answers the server's last 334 challenge, so it waits for it (\(citation))"
        case .notOffered(let verb):
            return "no EHLO reply has offered PIPELINING yet, so \(verb) must be answered before the next command (\(citation))"
        }
    }

    /// The wait a client owes after sending `line` to a session in `phase`, where `pipeliningOffered` says whether
    /// an EHLO reply in this session (since the last STARTTLS) announced PIPELINING. Nil: the next line may follow
    /// at once. Message text never waits, nor does the final dot once PIPELINING is on (RFC 2920 §3.1: the message
    /// may be followed by more commands in the same group).
    public static func after(_ line: String, phase: SessionPhase, pipeliningOffered: Bool) -> PipeliningRule? {
        switch phase {
        case .data:
            return line == "." && !pipeliningOffered ? .notOffered(verb: "the end of the message") : nil
        case .auth:
            return .authResponse
        case .closed:
            return nil
        case .connected, .greeted, .mail, .rcpt:
            break
        }
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        let verb = words.first.map { ServerSession.asciiUppercased($0.split(separator: ":").first ?? $0) } ?? ""
        switch verb {
        case "EHLO", "HELO", "DATA", "VRFY", "EXPN", "TURN", "QUIT", "NOOP", "STARTTLS":
            return .endsGroup(verb: verb)
        case "AUTH":
            // RFC 4954 §4: the one exception is a one-round-trip mechanism with its initial response (PLAIN).
            let plainWithResponse = words.count >= 3 && ServerSession.asciiUppercased(words[1]) == "PLAIN"
            if plainWithResponse && pipeliningOffered { return nil }
            return plainWithResponse ? .notOffered(verb: verb) : .endsGroup(verb: verb)
        default:
            return pipeliningOffered ? nil : .notOffered(verb: verb.isEmpty ? "an empty line" : verb)
        }
    }
}

/// The client broke a wait the server checks: what it had sent, and too early after what.
public struct SynchronizationViolation: Sendable, Equatable {
    public let rule: PipeliningRule
    /// The first octets that were already waiting (at most 200), as received.
    public let early: [UInt8]
}

extension ServerSession {
    /// Whether an EHLO reply has offered PIPELINING in this session (since the last STARTTLS).
    public var pipeliningOffered: Bool { extended }

    /// The wait a client owes after sending `line` now (see `PipeliningRule.after`).
    public func clientMustWait(after line: String) -> PipeliningRule? {
        PipeliningRule.after(line, phase: phase, pipeliningOffered: pipeliningOffered)
    }

    /// The commands this server checks for input sent too early, as Postfix 3.9 does: its "last in a group"
    /// commands (plus EXPN and TURN, named by RFC 2920), and every recognised command while PIPELINING is not on.
    static func checksSynchronization(verb: String, pipeliningOffered: Bool) -> Bool {
        switch verb {
        case "EHLO", "HELO", "DATA", "NOOP", "VRFY", "EXPN", "TURN": return true
        case "MAIL", "RCPT", "RSET", "QUIT", "HELP", "STARTTLS", "AUTH": return !pipeliningOffered
        case "BDAT": return false  // its chunk follows it by definition (RFC 3030 §2): octets, not pipelined commands
        default: return false  // unknown commands are answered 500 and never checked (as Postfix)
        }
    }

    /// Refuses input that arrived too early: `554 5.5.0`, then the connection closes (Postfix 3.9's words). The
    /// session does not read what was sent early.
    mutating func refuseUnsynchronized(_ rule: PipeliningRule, early: UnsafeBufferPointer<UInt8>, into out: inout [SessionOutput]) {
        synchronizationViolation = SynchronizationViolation(rule: rule, early: Array(early.prefix(200)))
        close(with: Reply(554, EnhancedStatusCode(5, 5, 0), "Error: SMTP protocol synchronization"), into: &out)
    }

    /// For a caller that learns of early input only after the session answered (the simulation, where a line can
    /// reach the server before the reply to the line before it has left): the session hangs up as it would have.
    public mutating func refuseEarlyInput(_ bytes: [UInt8], after rule: PipeliningRule) -> [SessionOutput] {
        guard phase != .closed else { return [] }
        var out: [SessionOutput] = []
        bytes.withUnsafeBufferPointer { refuseUnsynchronized(rule, early: $0, into: &out) }
        return out
    }
}
