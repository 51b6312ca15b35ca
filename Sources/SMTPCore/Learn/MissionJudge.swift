// Judges a mission's checks against the world: the simulation (for missions the learner types) or the live
// sessions real clients had with the app's listener. Every failing check says what the world shows instead.

public struct CheckResult: Sendable, Equatable {
    public let name: String
    public let passed: Bool
    /// Why it failed, in terms of what the world shows; what it proved when it passed.
    public let message: String
}

public struct MissionVerdict: Sendable, Equatable {
    public let checks: [CheckResult]
    /// A failure condition that was met (the server hung up, a message was lost), which fails the mission whatever
    /// the checks say.
    public let failure: String?
    public var passed: Bool { failure == nil && checks.allSatisfy(\.passed) }
}

public enum MissionJudge {
    /// The verdict on `mission` for the world `sim` shows (and, for live checks, the real clients' sessions).
    public static func judge(_ mission: Mission, sim: Simulation, live: [LiveEvent] = []) -> MissionVerdict {
        let results = mission.checks.map { check($0, sim: sim, live: live) }
        var failure: String?
        for f in mission.failures {
            switch f {
            case .hangup:
                if let r = sim.seen.hungUp {
                    failure = "The server hung up on you with \(r.wireLines.last ?? "\(r.code)"): " + hangUpReason(r)
                }
            case .lost:
                if let first = sim.lost.first {
                    failure = "The message for \(first) was refused for good and no notice went anywhere (NOTIFY asked for none): it is lost."
                }
            }
            if failure != nil { break }
        }
        return MissionVerdict(checks: results, failure: failure)
    }

    static func hangUpReason(_ reply: Reply) -> String {
        switch (reply.code, reply.enhanced?.description) {
        case (554, "5.5.0"?): return "a line was already waiting where you had to wait for a reply (RFC 2920 §3.1)."
        case (421, "4.7.0"?): return "too many errors without a delivered message (Postfix's smtpd_hard_error_limit)."
        case (421, _): return "the service is not available (RFC 5321 §3.8)."
        case (521, _): return "a bare line feed ended the message (the SMTP-smuggling defence)."
        default: return "the session is over."
        }
    }

    // MARK: - One check

    static func check(_ c: MissionCheck, sim: Simulation, live: [LiveEvent]) -> CheckResult {
        let (passed, message) = evaluate(c, sim: sim, live: live)
        return CheckResult(name: c.name, passed: passed, message: message)
    }

    static func evaluate(_ c: MissionCheck, sim: Simulation, live: [LiveEvent]) -> (Bool, String) {
        switch c {
        case .delivered(let to, let filter):
            return delivered(to, filter, sim)
        case .notice(let to, let action, let about, let status, let envid, let orcpt):
            return notice(to, action, about, status, envid, orcpt, sim)
        case .lost(let address):
            if sim.lost.contains(address) { return (true, "Refused for good, and no notice went anywhere, as NOTIFY asked.") }
            if let bounce = sim.arrivals.first(where: { $0.notice == .failed && $0.message.body.contains("Final-Recipient: rfc822; \(address)") }) {
                return (false, "A bounce about \(address) reached \(bounce.mailbox): without NOTIFY=NEVER on its RCPT, a failure is reported (RFC 3461 §5.2.6).")
            }
            if sim.arrivals.contains(where: { $0.notice == nil && $0.mailbox == address }) { return (false, "The message was delivered to \(address): that address exists.") }
            return (false, "No message for \(address) was refused in this world yet.")
        case .reply(let p):
            let seen = sim.seen.replies
            if seen.contains(where: { p.matches($0.reply, $0.cause) }) { return (true, "Seen: \(p.text)\(p.forWhat).") }
            return (false, "You never saw \(p.text)\(p.forWhat)." + whatCame(for: p.to, in: seen.map { ($0.reply, $0.cause) }))
        case .relayReply(let p):
            // The relay hop's lines carry no causes: the verb is read from the client line before each reply.
            var pairs: [(Reply, ReplyCause)] = [], lastVerb = ""
            for line in sim.hopLines {
                if case .client = line.kind { lastVerb = line.text.hasPrefix("(the message") ? "DATA-END" : String(line.text.split(separator: " ").first?.split(separator: ":").first ?? "").uppercased() }
                if case .server(let code) = line.kind {
                    let words = line.text.dropFirst(4).split(separator: " ")
                    pairs.append((Reply(code, words.first.flatMap { EnhancedStatusCode(parsing: $0) }, ""), lastVerb == "DATA-END" ? .messageEnd : .command(verb: lastVerb)))
                }
            }
            if pairs.contains(where: { p.matches($0.0, $0.1) }) { return (true, "The MX answered \(p.text)\(p.forWhat).") }
            if sim.hops.isEmpty { return (false, "No message was relayed: smtp.example.com never opened a session to an MX.") }
            return (false, "In the relay hop the MX never answered \(p.text)\(p.forWhat)." + whatCame(for: p.to, in: pairs))
        case .authenticated(let user, let mechanism):
            let logins = sim.seen.logins
            if let hit = logins.first(where: { (user == nil || $0.user.lowercased() == user) && (mechanism == nil || $0.mechanism == mechanism) }) {
                return (true, "Logged in as \(hit.user) with AUTH \(hit.mechanism).")
            }
            if let other = logins.first {
                return (false, "You logged in as \(other.user) with AUTH \(other.mechanism)" + (mechanism.map { ", not with AUTH \($0)" } ?? "") + (user.map { other.user.lowercased() == $0 ? "" : ", not as \($0)" } ?? "") + ".")
            }
            let auth = sim.seen.replies.filter { $0.cause == .command(verb: "AUTH") || $0.cause == .authResponse }
            if let last = auth.last { return (false, "Not logged in: the server's last answer in the login was \(last.reply.wireLines.last ?? "\(last.reply.code)").") }
            if sim.seen.replies.contains(where: { $0.reply.code == 530 }) { return (false, "Not logged in: the server said 530 Authentication required, and no AUTH followed.") }
            return (false, "Not logged in: no AUTH was answered.")
        case .tls:
            if sim.seen.tlsStarted { return (true, "The connection switched to TLS after 220 Ready to start TLS.") }
            if sim.seen.replies.contains(where: { $0.reply.code == 538 }) {
                return (false, "No TLS: AUTH came first and got 538 — on port 587 STARTTLS comes before the login.")
            }
            return (false, "The connection never switched to TLS: no STARTTLS was answered with 220.")
        case .pipelined(let n):
            let got = sim.seen.pipelined
            if got >= n { return (true, "\(got) command\(got == 1 ? "" : "s") left without waiting, and were answered in order.") }
            return (false, "Only \(got) command line\(got == 1 ? "" : "s") left before the reply to the one before (\(n) needed; answers in a login and message text do not count): send the next with Ctrl-T, or `> ` in a file.")
        case .liveDelivered(let to, let subject):
            let messages = live.flatMap { event -> [StoredMessage] in
                guard case .exchange(_, _, _, _, _, let outputs) = event else { return [] }
                return outputs.compactMap { if case .delivered(let m) = $0 { return m }; return nil }
            }
            if messages.contains(where: { m in (to == nil || m.recipients.contains { $0.lowercased() == to }) && (subject == nil || m.header("Subject") == subject) }) {
                return (true, "Your program's message was accepted.")
            }
            guard let first = messages.first else {
                return (false, live.isEmpty ? "No program has connected to the listener yet." : "The listener accepted no message from your program.")
            }
            if let subject, first.header("Subject") != subject { return (false, "The message arrived with the subject “\(first.header("Subject") ?? "")”, not “\(subject)”.") }
            return (false, "The message went to \(first.recipients.joined(separator: ", ")), not \(to ?? "?").")
        case .liveReply(let p):
            let seen = live.flatMap { event -> [(Reply, ReplyCause)] in
                guard case .exchange(_, _, _, _, _, let outputs) = event else { return [] }
                return outputs.compactMap { if case .reply(let r, let cause) = $0 { return (r, cause) }; return nil }
            }
            if seen.contains(where: { p.matches($0.0, $0.1) }) { return (true, "Your program met \(p.text)\(p.forWhat).") }
            return (false, live.isEmpty ? "No program has connected to the listener yet." : "Your program never met \(p.text)\(p.forWhat)." + whatCame(for: p.to, in: seen))
        case .liveLogin:
            var byConnection: [Int: [SessionOutput]] = [:]
            for case .exchange(let c, _, _, _, _, let outputs) in live { byConnection[c, default: []] += outputs }
            for outputs in byConnection.values {
                if let tls = outputs.firstIndex(of: .tlsStarted),
                   let auth = outputs.firstIndex(where: { if case .authenticated = $0 { return true }; return false }), tls < auth {
                    return (true, "TLS first, then the login: the password crossed encrypted.")
                }
            }
            if byConnection.values.contains(where: { $0.contains { if case .reply(let r, _) = $0 { return r.code == 538 }; return false } }) {
                return (false, "Your program tried AUTH before STARTTLS and got 538: start TLS first.")
            }
            return (false, live.isEmpty ? "No program has connected to the listener yet." : "No session of your program logged in after starting TLS.")
        }
    }

    /// "RCPT got: 250 2.1.5, 550 5.1.1." — what did come back for that command, to set the learner straight.
    static func whatCame(for verb: String?, in replies: [(Reply, ReplyCause)]) -> String {
        guard let verb else { return "" }
        let got = replies.filter { MissionCheck.ReplyPattern.label($0.1) == verb || (verb == "AUTH" && $0.1 == .authResponse) }
            .map { $0.0.code.description + ($0.0.enhanced.map { " \($0)" } ?? "") }
        if got.isEmpty { return " No \(verb == "DATA-END" ? "message was ended" : verb + " was answered")." }
        var unique: [String] = []
        for g in got where !unique.contains(g) { unique.append(g) }
        return " \(verb == "DATA-END" ? "The final dot" : verb) got: \(unique.joined(separator: ", "))."
    }

    // MARK: - Mailboxes

    static func delivered(_ to: String, _ f: MissionCheck.MessageFilter, _ sim: Simulation) -> (Bool, String) {
        let box = sim.mailbox(to).filter { $0.notice == nil }
        let who = "\(Narration.owner(of: to))'s mailbox"
        guard !box.isEmpty else {
            if let refusal = refusal(of: to, sim) { return (false, "\(who) is empty: \(refusal)") }
            return (false, "\(who) (\(to)) is empty: no message reached it.")
        }
        var reasons: [String] = []
        for arrival in box {
            let m = arrival.message
            var why: String?
            if let from = f.from, m.envelopeFrom.lowercased() != from {
                why = "its envelope sender is <\(m.envelopeFrom)>, not <\(from)>"
            } else if let s = f.subject, m.header("Subject") != s {
                why = "its subject is “\(m.header("Subject") ?? "(none)")”, not “\(s)”"
            } else if let l = f.line, !m.body.contains(l) {
                why = lineDiagnosis(l, m)
            } else if let h = f.header, !m.headers.contains(where: { $0.lowercased().hasPrefix(h.lowercased()) }) {
                let name = h.split(separator: ":").first.map(String.init) ?? h
                why = m.header(name).map { "its \(name): is “\($0)”, not what “\(h)” asks" } ?? "it has no \(name): field"
            } else if let n = f.hops, m.headers.filter({ $0.hasPrefix("Received:") }).count != n {
                let got = m.headers.filter { $0.hasPrefix("Received:") }.count
                why = "it carries \(got) Received: line\(got == 1 ? "" : "s"), one per server it passed, not \(n)"
            } else if f.retried, !sim.hopLines.contains(where: { $0.text.contains("(attempt 2)") }) {
                why = "it got through at the first attempt, without a retry"
            } else if f.bdat, m.rawContent == nil {
                why = "it was sent with DATA, not BDAT"
            } else if !f.auth.isEmpty {
                why = authDiagnosis(f.auth, m, host: arrival.host)
            }
            guard let why else { return (true, "In \(who): message \(m.id).") }
            reasons.append(why)
        }
        return (false, "\(who) holds \(box.count) message\(box.count == 1 ? "" : "s"), but \(reasons[0]).")
    }

    /// Why the receiving server's verdicts are not the ones asked for, or nil when they are.
    static func authDiagnosis(_ wanted: [String], _ message: StoredMessage, host: String) -> String? {
        guard let field = message.authenticationResults(by: host) else {
            return "\(host) wrote no Authentication-Results: on it (it checked nothing)"
        }
        let got = AuthenticationResultsField.results(field).map { "\($0.method)=\($0.result)" }
        let missing = wanted.filter { !got.contains($0) }
        guard !missing.isEmpty else { return nil }
        return "\(host) judged it " + got.joined(separator: ", ") + ", not " + missing.joined(separator: ", ")
    }

    /// Why a body did not hold `wanted`, when the world can tell: a dot the server removed, most of all.
    static func lineDiagnosis(_ wanted: String, _ message: StoredMessage) -> String {
        let body = message.body
        if message.headers.contains(wanted) {
            return "the line “\(wanted)” is there, but among the header fields: an empty line must separate the header fields from the body (RFC 5322 §2.1)"
        }
        if message.rawContent != nil, body.contains("." + wanted) {
            return "it has the line “.\(wanted)”: BDAT does no dot-stuffing (RFC 3030), so a dot you doubled arrives doubled"
        }
        if wanted.hasPrefix("."), body.contains(String(wanted.dropFirst())) {
            return "it has the line “\(wanted.dropFirst())”: the dot was removed — a line that starts with a dot must be sent with the dot doubled (RFC 5321 §4.5.2)"
        }
        if wanted.hasPrefix("."), body.contains(where: { $0.hasPrefix(String(wanted.dropFirst())) }) {
            return "its line that should start with a dot has lost it — send the dot doubled (RFC 5321 §4.5.2)"
        }
        return "it has no line “\(wanted)”"
    }

    /// What refused mail for `address` on its way, if the world saw it: the learner's own session or the relay hop.
    static func refusal(of address: String, _ sim: Simulation) -> String? {
        if sim.seen.replies.contains(where: { $0.reply.code == 530 }) { return "the server said 530 Authentication required: log in first." }
        if let r = sim.seen.rcpt[address], r.code >= 400 {
            return "your RCPT TO:<\(address)> got \(r.wireLines.last ?? "\(r.code)")" + (r.code < 500 ? " — a 4yz: it may work in another transaction." : ".")
        }
        if let hop = sim.hopLines.firstIndex(where: { $0.text.lowercased().hasPrefix("rcpt to:<\(address)>") }),
           let answer = sim.hopLines[(hop + 1)...].first(where: { if case .server = $0.kind { return true }; return false }),
           case .server(let code) = answer.kind, code >= 400 {
            return "\(answer.host) answered \(answer.text) when smtp.example.com relayed it."
        }
        if let r = sim.seen.replies.last(where: { $0.cause == .messageEnd }), r.reply.code >= 400 {
            return "the message itself was refused: \(r.reply.wireLines.last ?? "")."
        }
        if !sim.seen.replies.contains(where: { $0.cause == .messageEnd && $0.reply.code == 250 }) {
            return "no message was ever accepted (no 250 after a final dot)."
        }
        if sim.queue.contains(where: { $0.recipients.contains { $0.lowercased() == address } }) {
            return "the message still waits in smtp.example.com's queue."
        }
        // Mail went somewhere else: say where, and what became of it.
        for (i, line) in sim.hopLines.enumerated() where line.text.uppercased().hasPrefix("RCPT TO:<") {
            guard let answer = sim.hopLines[(i + 1)...].first(where: { if case .server = $0.kind { return true }; return false }),
                  case .server(let code) = answer.kind, code >= 400 else { continue }
            return "the message went to \(line.text.dropFirst(8)) instead, which \(answer.host) refused (\(answer.text))."
        }
        if let other = sim.arrivals.first(where: { $0.notice == nil }) { return "the message went to \(other.mailbox) instead." }
        return nil
    }

    static func notice(_ to: String, _ action: DeliveryAction, _ about: String?, _ status: String?, _ envid: String?, _ orcpt: String?,
                       _ sim: Simulation) -> (Bool, String) {
        // `about` is an address, or "@domain" for any address there.
        func isAbout(_ address: String) -> Bool {
            guard let about else { return true }
            return about.hasPrefix("@") ? address.lowercased().hasSuffix(about) : address.lowercased() == about
        }
        let notices = sim.mailbox(to).filter { $0.notice == action }
        for n in notices {
            let reported = n.message.body.compactMap { line -> String? in
                line.hasPrefix("Final-Recipient: rfc822; ") ? String(line.dropFirst("Final-Recipient: rfc822; ".count)) : nil
            }
            guard reported.contains(where: isAbout) else { continue }
            if let status, !n.message.body.contains("Status: \(status)") { continue }
            if let envid, !n.message.body.contains("Original-Envelope-Id: \(envid)") {
                return (false, "The notice came, but " + (n.message.body.first { $0.hasPrefix("Original-Envelope-Id:") }.map { "it names \($0.dropFirst(22)) as your envelope id" }
                    ?? "without an Original-Envelope-Id: give ENVID=\(envid) on MAIL FROM") + ".")
            }
            if let orcpt, !n.message.body.contains("Original-Recipient: \(orcpt)") {
                return (false, "The notice came, but without “Original-Recipient: \(orcpt)”: give ORCPT= on the RCPT (RFC 3461 §4.2).")
            }
            return (true, "In \(to)'s mailbox: \(n.message.header("Subject") ?? "a notice") about \(reported.joined(separator: ", ")).")
        }
        let kind = action == .failed ? "bounce" : action == .delayed ? "delay warning" : "\"\(action.rawValue)\" receipt"
        if action == .failed, let delivered = sim.arrivals.first(where: { $0.notice == nil && $0.mailbox != to && isAbout($0.mailbox) }) {
            return (false, "No \(kind) reached \(to): the message to \(delivered.mailbox) was delivered — that address exists.")
        }
        if let silent = sim.lost.first(where: isAbout) {
            return (false, "No \(kind) reached \(to): \(silent) refused the message, but NOTIFY asked for no notice.")
        }
        if let other = sim.mailbox(to).first(where: { $0.notice != nil && $0.notice != action }) {
            return (false, "\(to) got a notice with Action: \(other.notice?.rawValue ?? "?"), not \(action.rawValue).")
        }
        if !notices.isEmpty { return (false, "\(to) got a \(kind), but not about \(about ?? "that address") (or not with status \(status ?? "?")).") }
        return (false, "No \(kind) reached \(to)'s mailbox.")
    }
}
