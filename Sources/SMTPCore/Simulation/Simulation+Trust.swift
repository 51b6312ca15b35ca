// Why mail is trusted, in the journey: a receiving server that checks senders asks DNS three questions (SPF record,
// DKIM key, DMARC policy) before it answers the final dot, and reaches one verdict after each. They are drawn as
// DNS-box lookups and timed verdicts beside the MX. Here too: a message an MX sends on — forwarded to a new
// address, or posted to a mailing list's members — which is where SPF and DKIM part ways.

/// One check's verdict at the moment the receiving server reached it.
public struct TrustStep: Sendable, Equatable {
    public enum Check: String, Sendable, Equatable, CaseIterable { case spf, dkim, dmarc }
    public let check: Check
    /// When the verdict is known (after its DNS answers).
    public let tick: Int
    /// The result as Authentication-Results writes it: "pass", "fail", "softfail", "none", …
    public let result: String
    /// True for pass; false for everything else (fail, softfail, none, errors).
    public let passed: Bool
    /// What the check proved, in one sentence (the caption says it).
    public let proved: String
}

/// One message judged by a receiving server: who connected, each verdict in turn, and what the server did.
public struct TrustRun: Sendable, Equatable {
    /// The server that checked, e.g. "mx.domain.com".
    public let host: String
    /// The machine that connected (its name and address are what SPF judges).
    public let client: String
    public let clientAddress: String
    /// The queue id the message got, or nil when it was refused.
    public let messageID: String?
    public let start: Int
    public let end: Int
    public let steps: [TrustStep]
    public let verdict: AuthenticationVerdict
    /// True when DMARC's policy made the server refuse the message (550 5.7.26).
    public var refused: Bool { verdict.rejects }
    /// True when the checks were part of a server-to-server hop, false when the learner's own client connected.
    public let inHop: Bool

    /// The verdicts reached by `tick`.
    public func steps(at tick: Int) -> [TrustStep] { steps.filter { $0.tick <= tick } }
}

extension Simulation {
    /// The latest message judged by `tick` (its checks may still be under way), with the verdicts reached so far:
    /// what the flow pane shows beside the MX.
    public func trust(at tick: Int) -> (run: TrustRun, steps: [TrustStep])? {
        guard let run = trustRuns.last(where: { $0.start <= tick }) else { return nil }
        return (run, run.steps(at: tick))
    }

    /// Draws a receiving server's checks from `start`: each DNS question and answer (server ↔ DNS box), then each
    /// verdict with a caption saying what it proved; notes go to the hop's transcript (`inHop`) or the learner's.
    /// Returns the tick when the server knows all three verdicts.
    mutating func drawChecks(_ verdict: AuthenticationVerdict, at start: Int, server: MailHost, client: ClientMachine,
                             messageID: String?, inHop: Bool) -> Int {
        var t = start
        let d = latency.dns
        caption("\(server.name) checks who really sent this before it answers: SPF (who may send for the envelope's domain), DKIM (a signature), DMARC (the From: domain's policy).", at: t)
        func ask(_ lookup: DNSLookup) {
            addFlow(.dnsQuery(lookup.question), from: .mx, to: .dns, start: t, length: d)
            lookups.append(Timed(tick: t, value: "\(lookup.name) \(lookup.type) ?"))
            if inHop { hopLine(t, "", .note, "DNS query: \(lookup.name). IN \(lookup.type) ?") }
            t += d
            let short = lookup.answer.count > 48 ? String(lookup.answer.prefix(45)) + "…" : lookup.answer
            addFlow(.dnsAnswer(short), from: .dns, to: .mx, start: t, length: d)
            lookups.append(Timed(tick: t, value: "\(lookup.name) → \(short)"))
            if inHop { hopLine(t + d, "", .note, "DNS answer: \(lookup.name). IN \(lookup.type) \(lookup.answer)") }
            t += d
        }
        var steps: [TrustStep] = []
        func decide(_ check: TrustStep.Check, _ result: String, _ proved: String) {
            if t == start || steps.last?.tick == t { t += latency.processing }  // a verdict without a DNS question still takes a moment
            let step = TrustStep(check: check, tick: t, result: result, passed: result == "pass", proved: proved)
            steps.append(step)
            let sentence = "\(check.rawValue.uppercased()) \(result): \(proved)."
            caption(sentence, at: t)
            if inHop { hopLine(t, "", .note, sentence) } else { enqueue(.output(.note("\(server.name) — \(sentence)")), at: t) }
        }

        verdict.spf.lookups.forEach(ask)
        decide(.spf, verdict.spf.result.rawValue, verdict.spf.explanation)

        verdict.dkimLookups.forEach(ask)
        if verdict.dkim.isEmpty {
            decide(.dkim, "none", "the message carries no DKIM signature, so no domain vouches for its content")
        } else {
            let outcome = verdict.dkim.contains { $0.outcome == .pass } ? "pass" : verdict.dkim[0].outcome.rawValue
            let proved = verdict.dkim.map { r in
                r.outcome == .pass
                    ? "d=\(r.domain) signed it, and nothing it signed changed on the way (\(r.reason))"
                    : "the signature of d=\(r.domain) fails: \(r.reason)"
            }.joined(separator: "; ")
            decide(.dkim, outcome, proved)
        }

        verdict.dmarc.lookups.forEach(ask)
        decide(.dmarc, verdict.dmarc.result.rawValue, verdict.dmarc.explanation)

        let refusedNote = verdict.rejects ? " It refuses the message: 550 5.7.26, “multiple authentication checks failed” (RFC 7372 §3.4)." : ""
        let summary = "\(server.name)'s verdict: \(verdict.summary)." + (verdict.rejects ? refusedNote : " It adds Authentication-Results: above its Received: (RFC 8601).")
        if inHop { hopLine(t, "", .note, summary) } else { enqueue(.output(.note(summary)), at: t) }
        caption(verdict.rejects
                ? "DMARC fails and \(verdict.dmarc.fromDomain ?? "the From: domain") asks for p=reject: \(server.name) refuses the message with 550 5.7.26."
                : "\(server.name) records its verdicts in an Authentication-Results: field (\(verdict.summary)) and accepts the message.", at: t)
        trustRuns.append(TrustRun(host: server.name, client: client.name, clientAddress: client.address, messageID: verdict.rejects ? nil : messageID,
                                  start: start, end: t, steps: steps, verdict: verdict, inHop: inHop))
        if trustRuns.count > 200 { trustRuns.removeFirst(trustRuns.count - 200) }
        return t
    }

    /// An MX accepted `message` for an address whose mail leaves again: forwarded to a new address (unchanged,
    /// envelope sender and all, as a classic alias does), or posted to a mailing list's members (as a new message
    /// from the list). It goes into the MX's own queue when the next domain is in this world.
    mutating func sendOn(_ message: StoredMessage, for box: MailboxSpec, at server: MailHost, time t: Int) {
        switch box.behaviour {
        case .forwards(let to):
            let domain = to.split(separator: "@").last.map { $0.lowercased() } ?? ""
            guard let next = network.mailHost(forDomain: domain), next.name != server.name else {
                enqueue(.output(.note("\(server.name) accepted the copy for \(box.address) and forwards it to <\(to)> (the simulation follows it no further).")), at: t)
                return
            }
            caption("\(server.name) forwards Bob's copy to <\(to)> as it came: same content, same envelope sender <\(message.envelopeFrom)>, but now sent from \(server.name)'s address.", at: t)
            enqueue(.output(.note("\(server.name) forwards the copy for \(box.address) to <\(to)>: it sends the message on unchanged, with the same envelope sender <\(message.envelopeFrom)>, from its own address \(server.address).")), at: t)
            var entry = QueueEntry(message: message, domain: domain, recipients: [to], attempt: 1, due: t + latency.queueDelay)
            entry.sender = server.name
            queue.append(entry)
        case .list(let name, let members):
            let post = listPost(message, list: box.address, name: name, at: server, time: t)
            var byDomain: [String: [String]] = [:], order: [String] = []
            for member in members {
                let domain = member.split(separator: "@").last.map { $0.lowercased() } ?? ""
                if byDomain[domain] == nil { order.append(domain) }
                byDomain[domain, default: []].append(member)
            }
            for domain in order where network.mailHost(forDomain: domain) != nil {
                var entry = QueueEntry(message: post, domain: domain, recipients: byDomain[domain] ?? [], attempt: 1,
                                       due: t + latency.queueDelay + 2 * latency.dns)
                entry.sender = server.name
                queue.append(entry)
            }
        case .accepts, .full, .greylisted:
            break
        }
    }

    /// The list's copy of a post, made as Mailman makes one: "[Name]" before the Subject, a footer after the body,
    /// List-Id (RFC 2919), and — because the author's domain publishes a DMARC policy of reject or quarantine — the
    /// From: rewritten to the list's own address, the author kept in Reply-To:. The envelope sender becomes the
    /// list's bounce address, so failures go to the list, not the author.
    mutating func listPost(_ message: StoredMessage, list address: String, name: String, at server: MailHost, time t: Int) -> StoredMessage {
        let (fields, body) = MessageOctets.split(message.relayContent)
        let author = fields.first { $0.name.lowercased() == "from" }
        let authorDomain = author.flatMap { DMARC.authorDomain($0.value) }
        // The list asks the author's domain for its DMARC policy, as Mailman's DMARC mitigation does.
        var munge = false
        if let authorDomain {
            let record = network.dns.txt("_dmarc." + authorDomain).first
            addFlow(.dnsQuery("TXT _dmarc.\(authorDomain)?"), from: .mx, to: .dns, start: t, length: latency.dns)
            lookups.append(Timed(tick: t, value: "_dmarc.\(authorDomain) TXT ?"))
            addFlow(.dnsAnswer(record ?? "no record"), from: .dns, to: .mx, start: t + latency.dns, length: latency.dns)
            lookups.append(Timed(tick: t + latency.dns, value: "_dmarc.\(authorDomain) → \(record ?? "no record")"))
            let policy = record.flatMap(DMARCRecord.init)?.policy
            munge = policy == .reject || policy == .quarantine
        }
        let bounces = address.replacingFirstOccurrence(of: "@", with: "-bounces@")
        var out: [HeaderField] = []
        func field(_ text: String) -> HeaderField {
            HeaderField(name: String(text.prefix { $0 != ":" }), raw: Array(text.utf8))
        }
        for f in fields {
            switch f.name.lowercased() {
            case "subject":
                let subject = f.value
                out.append(field("Subject: " + (subject.hasPrefix("[\(name)]") ? subject : "[\(name)] \(subject)")))
            case "from" where munge:
                let who = Self.displayName(f.value) ?? (author.map { $0.value } ?? "")
                out.append(field("From: \"\(who) via \(name)\" <\(address)>"))
                out.append(field("Reply-To: \(f.value)"))
            default:
                out.append(f)
            }
        }
        out.append(field("List-Id: \(name) <\(address.replacingFirstOccurrence(of: "@", with: "."))>"))
        out.append(field("List-Post: <mailto:\(address)>"))
        let footer = Array("-- \r\n\(name) mailing list - \(address)\r\nTo leave, write to \(address.replacingFirstOccurrence(of: "@", with: "-leave@"))\r\n".utf8)
        let content = MessageOctets.join(out, body: body + footer)
        attempts += 1
        let id = Self.queueID(seed &+ 0x1157 &+ UInt64(attempts) &* 104_729)
        caption("The \(name) list at \(server.name) sends the post on to its members as a message of its own: Subject tagged [\(name)], a footer added"
                + (munge ? ", and From: rewritten to the list's address because \(authorDomain ?? "the author's domain") publishes a strict DMARC policy." : "."), at: t)
        enqueue(.output(.note("The \(name) list (\(address)) resends the post as \(id): \"[\(name)]\" before the Subject, a footer after the body, envelope sender <\(bounces)>"
                              + (munge ? ", From: rewritten to the list (\(authorDomain ?? "the author's domain") asks for DMARC p=reject; the author stays in Reply-To:)." : "."))), at: t)
        return StoredMessage.from(content: content, id: id, envelopeFrom: bounces, recipients: [], tick: t)
    }

    /// "Alice <alice@example.com>" → "Alice"; nil without a display name.
    static func displayName(_ from: String) -> String? {
        guard let open = from.firstIndex(of: "<") else { return nil }
        let name = from[..<open].trimmingWhitespace().filter { $0 != "\"" }
        return name.isEmpty ? nil : name
    }

    /// A message as DATA carries it: each line with a leading dot gets another (RFC 5321 §4.5.2), then a dot alone.
    static func dotStuffed(_ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 8)
        var atLineStart = true
        for b in content {
            if atLineStart && b == UInt8(ascii: ".") { out.append(b) }
            out.append(b)
            atLineStart = b == 0x0A
        }
        if !out.isEmpty && !atLineStart { out += [0x0D, 0x0A] }
        return out + Array(".\r\n".utf8)
    }
}

extension StoredMessage {
    /// The copy a server sends on: every header field but a leading Return-Path: (only the final server adds one,
    /// RFC 5321 §4.4), then the body, octet for octet.
    public var relayContent: [UInt8] {
        let (fields, body) = MessageOctets.split(messageBytes)
        let kept = fields.first.map { $0.name.lowercased() == "return-path" } == true ? Array(fields.dropFirst()) : fields
        return MessageOctets.join(kept, body: body)
    }

    /// A message made by a server itself (a list's post), from its octets.
    static func from(content: [UInt8], id: String, envelopeFrom: String, recipients: [String], tick: Int) -> StoredMessage {
        let (fields, body) = MessageOctets.split(content)
        // Stored lines are joined by LF alone: each CRLF becomes LF, any other octet stays.
        func stored(_ raw: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            for (i, b) in raw.enumerated() where !(b == 0x0D && i + 1 < raw.count && raw[i + 1] == 0x0A) { out.append(b) }
            return out
        }
        var bodyLines = body
        if bodyLines.suffix(2) == [0x0D, 0x0A] { bodyLines.removeLast(2) }
        return StoredMessage(id: id, envelopeFrom: envelopeFrom, recipients: recipients,
                             headers: fields.map { String(decoding: stored($0.raw), as: UTF8.self) },
                             headerBytes: fields.map { stored($0.raw) },
                             bodyText: stored(bodyLines), bodyIsEmpty: body.isEmpty, receivedAtTick: tick, size: content.count)
    }
}

extension String {
    func replacingFirstOccurrence(of target: String, with replacement: String) -> String {
        guard let r = firstRange(of: target) else { return self }
        return String(self[..<r.lowerBound]) + replacement + String(self[r.upperBound...])
    }
}

/// The local command that opens a connection, as typed: `connect [HOST] [from MACHINE]`, or what a telnet user
/// types, `telnet HOST [PORT]` / `open HOST [PORT]` (also with `from MACHINE`). `from` picks the machine the
/// session starts from (Alice's computer unless said), so a learner can play another server.
public struct ConnectCommand: Sendable, Equatable {
    public var host: String?
    public var port: Int?
    public var machine: String?

    /// Nil unless `words` start with connect, telnet or open.
    public init?(_ words: [String]) {
        guard let verb = words.first, ["connect", "telnet", "open"].contains(verb) else { return nil }
        var rest = words.dropFirst()[...]
        while let word = rest.popFirst() {
            if word == "from" { machine = rest.popFirst() }
            else if host == nil { host = word }
            else if port == nil, let n = Int(word) { port = n }
        }
    }
}
