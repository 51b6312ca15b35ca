// What a mission asks of the world, and how the world answers. Each check reads engine and world state — the
// mailboxes, the replies the learner's client saw, the logins, the relay hop, the notices, the live sessions —
// and, when it fails, says what the world shows instead, in a sentence a learner can act on.
//
// The vocabulary (one per `check:` line; values with spaces in double quotes):
//   delivered ADDRESS [from=ADDR] [subject="…"] [line="…"] [header="Name: value"] [hops=N] [retried] [bdat]
//                     [auth="spf=pass dkim=pass dmarc=pass"]
//                     a message (not a notice) reached ADDRESS's mailbox, with all of that true of it (auth: the
//                     receiving server's own Authentication-Results: holds each method=result listed)
//   notice ADDRESS action=failed|delayed|delivered|relayed [about=ADDR|@domain] [status=X.Y.Z] [envid=…] [orcpt=…]
//                     a delivery status notification reached ADDRESS's mailbox (with that Original-Envelope-Id,
//                     that Original-Recipient, e.g. orcpt=rfc822;bob@domain.com)
//   lost ADDRESS      the message for ADDRESS was refused for good and, as its sender asked, no notice went anywhere
//   reply CODE [enhanced=X.Y.Z] [to=VERB]      the learner's client saw that reply (to=GREETING, DATA-END, AUTH…)
//   relay-reply CODE [enhanced=X.Y.Z] [to=VERB]   the relay hop (smtp.example.com → an MX) saw it
//   authenticated [user=ADDR] [mechanism=PLAIN|LOGIN]   a login succeeded
//   tls                                        the learner's connection switched to TLS
//   pipelined N                                N command lines were sent without waiting, and answered
//   live-delivered [to=ADDR] [subject="…"]     (live) a real client's message was accepted
//   live-reply CODE [enhanced=X.Y.Z] [to=VERB] (live) a real client saw that reply
//   live-login                                 (live) a real client logged in over TLS it had started first

public enum MissionCheck: Sendable, Equatable {
    case delivered(to: String, filter: MessageFilter)
    case notice(to: String, action: DeliveryAction, about: String?, status: String?, envid: String? = nil, orcpt: String? = nil)
    case lost(String)
    case reply(ReplyPattern)
    case relayReply(ReplyPattern)
    case authenticated(user: String?, mechanism: String?)
    case tls
    case pipelined(Int)
    case liveDelivered(to: String?, subject: String?)
    case liveReply(ReplyPattern)
    case liveLogin

    public struct MessageFilter: Sendable, Equatable {
        public var from: String?
        public var subject: String?
        public var line: String?
        public var header: String?
        public var hops: Int?
        public var retried = false
        public var bdat = false
        /// method=result pairs the receiving server's Authentication-Results: must hold, e.g. ["spf=fail", "dmarc=pass"].
        public var auth: [String] = []
    }

    public struct ReplyPattern: Sendable, Equatable {
        public var code: Int
        public var enhanced: String?
        /// The command it answered: a verb, GREETING, DATA-END (the final dot), or AUTH (also its challenge answers).
        public var to: String?

        func matches(_ reply: Reply, _ cause: ReplyCause) -> Bool {
            guard reply.code == code else { return false }
            if let enhanced, reply.enhanced?.description != enhanced { return false }
            guard let to else { return true }
            return Self.label(cause) == to || (to == "AUTH" && cause == .authResponse)
        }

        static func label(_ cause: ReplyCause) -> String {
            switch cause {
            case .greeting: return "GREETING"
            case .command(let verb): return verb
            case .messageEnd: return "DATA-END"
            case .authResponse: return "AUTH-RESPONSE"
            case .serverInitiated: return "SERVER"
            }
        }

        var text: String { "\(code)" + (enhanced.map { " \($0)" } ?? "") }
        var forWhat: String {
            switch to {
            case nil: return ""
            case "GREETING"?: return " as the greeting"
            case "DATA-END"?: return " after the final dot"
            case let verb?: return " to \(verb)"
            }
        }
    }

    public struct ParseError: Error, Equatable { public let reason: String }

    public var isLive: Bool {
        switch self {
        case .liveDelivered, .liveReply, .liveLogin: return true
        default: return false
        }
    }

    // MARK: - Parsing

    public static func parse(_ text: String) throws -> MissionCheck {
        var words = try tokens(text)
        guard !words.isEmpty else { throw ParseError(reason: "an empty check") }
        let kind = words.removeFirst()
        var positional: [String] = [], options: [String: String] = [:], flags: Set<String> = []
        for w in words {
            if let eq = w.firstIndex(of: "=") {
                options[String(w[..<eq])] = String(w[w.index(after: eq)...])
            } else if w.allSatisfy({ $0.isLetter || $0 == "-" }) && !w.contains("@") {
                flags.insert(w)
            } else {
                positional.append(w)
            }
        }
        func take(_ allowed: Set<String>, flags allowedFlags: Set<String> = []) throws {
            if let extra = options.keys.first(where: { !allowed.contains($0) }) {
                throw ParseError(reason: "`\(kind)` takes no \(extra)= (it takes \(allowed.sorted().map { $0 + "=" }.joined(separator: ", ")))")
            }
            if let extra = flags.first(where: { !allowedFlags.contains($0) }) { throw ParseError(reason: "`\(kind)` does not know “\(extra)”") }
        }
        func address(_ what: String) throws -> String {
            guard positional.count == 1, positional[0].contains("@") else { throw ParseError(reason: "`\(kind)` needs one address (\(what))") }
            return positional[0].lowercased()
        }
        func pattern() throws -> ReplyPattern {
            guard positional.count == 1, let code = Int(positional[0]), (200...599).contains(code) else {
                throw ParseError(reason: "`\(kind)` needs a reply code, e.g. \(kind) 550 enhanced=5.1.1 to=RCPT")
            }
            try take(["enhanced", "to"])
            if let e = options["enhanced"], EnhancedStatusCode(parsing: e) == nil { throw ParseError(reason: "enhanced=\(e) is not X.Y.Z") }
            return ReplyPattern(code: code, enhanced: options["enhanced"], to: options["to"]?.uppercased())
        }
        switch kind {
        case "delivered":
            try take(["from", "subject", "line", "header", "hops", "auth"], flags: ["retried", "bdat"])
            var filter = MessageFilter()
            filter.from = options["from"]?.lowercased(); filter.subject = options["subject"]; filter.line = options["line"]
            filter.header = options["header"]
            if let h = options["hops"] {
                guard let n = Int(h), n >= 1 else { throw ParseError(reason: "hops= takes a number of Received: lines") }
                filter.hops = n
            }
            filter.retried = flags.contains("retried"); filter.bdat = flags.contains("bdat")
            if let auth = options["auth"] {
                filter.auth = auth.split(separator: " ").map { $0.lowercased() }
                let methods = ["spf", "dkim", "dmarc"]
                guard !filter.auth.isEmpty, filter.auth.allSatisfy({ pair in
                    let parts = pair.split(separator: "=")
                    return parts.count == 2 && methods.contains(String(parts[0]))
                }) else { throw ParseError(reason: "auth= takes method=result pairs for spf, dkim and dmarc, e.g. auth=\"spf=pass dmarc=pass\"") }
            }
            return .delivered(to: try address("whose mailbox"), filter: filter)
        case "notice":
            try take(["action", "about", "status", "envid", "orcpt"])
            guard let a = options["action"], let action = DeliveryAction(rawValue: a) else {
                throw ParseError(reason: "`notice` needs action=failed, delayed, delivered or relayed")
            }
            return .notice(to: try address("whose mailbox"), action: action, about: options["about"]?.lowercased(), status: options["status"],
                           envid: options["envid"], orcpt: options["orcpt"])
        case "lost":
            try take([])
            return .lost(try address("whose message"))
        case "reply": return .reply(try pattern())
        case "relay-reply": return .relayReply(try pattern())
        case "live-reply": return .liveReply(try pattern())
        case "authenticated":
            try take(["user", "mechanism"])
            guard positional.isEmpty else { throw ParseError(reason: "`authenticated` takes only user= and mechanism=") }
            return .authenticated(user: options["user"]?.lowercased(), mechanism: options["mechanism"]?.uppercased())
        case "tls":
            try take([])
            guard positional.isEmpty else { throw ParseError(reason: "`tls` takes nothing") }
            return .tls
        case "pipelined":
            try take([])
            guard positional.count == 1, let n = Int(positional[0]), n >= 1 else { throw ParseError(reason: "`pipelined` needs a number of lines") }
            return .pipelined(n)
        case "live-delivered":
            try take(["to", "subject"])
            guard positional.isEmpty else { throw ParseError(reason: "`live-delivered` takes only to= and subject=") }
            return .liveDelivered(to: options["to"]?.lowercased(), subject: options["subject"])
        case "live-login":
            try take([])
            return .liveLogin
        default:
            throw ParseError(reason: "unknown check “\(kind)” (checks: delivered, notice, lost, reply, relay-reply, authenticated, tls, pipelined, live-delivered, live-reply, live-login)")
        }
    }

    /// Words split on spaces, with "double quoted" parts kept whole (the quotes dropped), also after key=.
    static func tokens(_ text: String) throws -> [String] {
        var out: [String] = [], current = "", quoted = false, started = false
        for ch in text {
            if ch == "\"" { quoted.toggle(); started = true; continue }
            if ch == " " && !quoted {
                if started { out.append(current); current = ""; started = false }
                continue
            }
            current.append(ch); started = true
        }
        guard !quoted else { throw ParseError(reason: "a quote is not closed") }
        if started { out.append(current) }
        return out
    }

    // MARK: - Words

    /// The check as the learner's checklist shows it.
    public var name: String {
        switch self {
        case .delivered(let to, let f):
            var parts: [String] = []
            if let from = f.from { parts.append("from \(from)") }
            if let s = f.subject { parts.append("with the subject “\(s)”") }
            if let l = f.line { parts.append("with the line “\(l)”") }
            if let h = f.header { parts.append("with “\(h)”") }
            if let n = f.hops { parts.append("after \(n) hop\(n == 1 ? "" : "s")") }
            if f.retried { parts.append("after a retry") }
            if f.bdat { parts.append("sent with BDAT") }
            if !f.auth.isEmpty { parts.append("judged " + f.auth.joined(separator: ", ")) }
            return "\(Narration.owner(of: to))'s mailbox (\(to)) receives a message" + (parts.isEmpty ? "" : " " + parts.joined(separator: ", "))
        case .notice(let to, let action, let about, let status, let envid, let orcpt):
            let kind = action == .failed ? "a bounce" : action == .delayed ? "a delay warning" : "a \"\(action.rawValue)\" receipt"
            return "\(kind.prefix(1).uppercased() + kind.dropFirst()) reaches \(to)" + (about.map { " about \($0)" } ?? "") + (status.map { " (status \($0))" } ?? "")
                + (envid.map { ", naming your envelope id \($0)" } ?? "") + (orcpt.map { ", with Original-Recipient \($0)" } ?? "")
        case .lost(let address): return "The message for \(address) is refused, and no notice comes back (as you asked)"
        case .reply(let p): return "You see \(p.text)\(p.forWhat)"
        case .relayReply(let p): return "In the relay hop, the MX answers \(p.text)\(p.forWhat)"
        case .authenticated(let user, let mechanism):
            return "You are logged in" + (user.map { " as \($0)" } ?? "") + (mechanism.map { " with AUTH \($0)" } ?? "")
        case .tls: return "Your connection is encrypted with STARTTLS"
        case .pipelined(let n): return "\(n) command\(n == 1 ? "" : "s") sent without waiting (PIPELINING), and answered"
        case .liveDelivered(let to, let subject):
            return "Your program delivers a message" + (to.map { " to \($0)" } ?? "") + (subject.map { " with the subject “\($0)”" } ?? "")
        case .liveReply(let p): return "Your program meets \(p.text)\(p.forWhat)"
        case .liveLogin: return "Your program starts TLS, then logs in"
        }
    }
}
