// DMARC (RFC 7489): the domain in the From: a reader sees publishes a policy (_dmarc.domain TXT). A message
// passes when SPF or DKIM passed for a domain aligned with that From: domain; otherwise the receiver applies the
// policy: none (deliver, and report), quarantine (treat as suspicious) or reject.

public enum DMARCResult: String, Sendable, Equatable { case none, pass, fail, temperror, permerror }

public enum DMARCPolicy: String, Sendable, Equatable { case none, quarantine, reject }

public struct DMARCRecord: Sendable, Equatable {
    public let policy: DMARCPolicy
    /// sp=: the policy for subdomains (p= when absent).
    public let subdomainPolicy: DMARCPolicy?
    /// adkim= and aspf=: relaxed (the same organizational domain) unless "s" (strict: the very same domain).
    public let strictDKIM: Bool
    public let strictSPF: Bool

    /// RFC 7489 §6.3: v=DMARC1 first, p= required; nil otherwise (such a record is ignored, §6.6.3).
    public init?(_ text: String) {
        guard let tags = DKIMTagList(text), tags.tags.first?.name == "v", tags["v"] == "DMARC1",
              let p = tags["p"].flatMap({ DMARCPolicy(rawValue: $0.lowercased()) }) else { return nil }
        policy = p
        subdomainPolicy = tags["sp"].flatMap { DMARCPolicy(rawValue: $0.lowercased()) }
        strictDKIM = tags["adkim"]?.lowercased() == "s"
        strictSPF = tags["aspf"]?.lowercased() == "s"
    }
}

public struct DMARCVerdict: Sendable, Equatable {
    public let result: DMARCResult
    /// The From: domain (RFC5322.From), when the message has exactly one address there.
    public let fromDomain: String?
    /// The policy that applies to it (p=, or sp= for a subdomain), when a record was found.
    public let policy: DMARCPolicy?
    public let record: String?
    /// What passed aligned: "dkim", "spf", both or neither.
    public let alignedBy: [String]
    public let explanation: String
    public let lookups: [DNSLookup]
    /// What the receiver does: the policy when DMARC failed, none otherwise.
    public var disposition: DMARCPolicy { result == .fail ? (policy ?? .none) : .none }
}

public enum DMARC {
    /// The organizational domain (RFC 7489 §3.2): the public suffix and one label more. Every suffix in this world
    /// (com, org, net, test) is a single label, so that is the last two labels; real receivers consult the Public
    /// Suffix List, where e.g. co.uk takes three.
    public static func organizationalDomain(_ domain: String) -> String {
        let labels = domain.lowercased().split(separator: ".")
        return labels.suffix(2).joined(separator: ".")
    }

    /// Identifier alignment (§3.1): strict wants the same domain, relaxed the same organizational domain.
    public static func aligned(_ a: String, _ b: String, strict: Bool) -> Bool {
        strict ? a.lowercased() == b.lowercased() : organizationalDomain(a) == organizationalDomain(b)
    }

    /// The domain of the single address in a From: field's value; nil when there is none or more than one.
    public static func authorDomain(_ fromValue: String) -> String? {
        var text = fromValue
        // Drop comments and quoted display names (they may hold "@" or ","), keep the angle address if any.
        var out = "", depth = 0, quoted = false, escaped = false
        for ch in text {
            if escaped { escaped = false; if depth == 0 && !quoted { out.append(ch) }; continue }
            if ch == "\\" { escaped = true; continue }
            if quoted { if ch == "\"" { quoted = false }; continue }
            if ch == "\"" && depth == 0 { quoted = true; continue }
            if ch == "(" { depth += 1; continue }
            if ch == ")" && depth > 0 { depth -= 1; continue }
            if depth == 0 { out.append(ch) }
        }
        text = out
        guard !text.contains(",") else { return nil }
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            text = String(text[text.index(after: open)..<close])
        }
        let parts = text.trimmingWhitespace().split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else { return nil }
        return parts[1].lowercased()
    }

    /// The DMARC verdict (§6.6) for a message whose From: fields are `fromValues`, given what SPF and DKIM found.
    public static func evaluate(fromValues: [String], spf: SPFVerdict, dkim: [DKIMResult], zone: DNSZone) -> DMARCVerdict {
        guard fromValues.count == 1, let from = authorDomain(fromValues[0]) else {
            // §6.6.1: DMARC needs one author domain. Without a From: (or with several) there is none to check.
            let why = fromValues.isEmpty
                ? "the message has no From: field, so there is no author domain to check (RFC 7489 §6.6.1; RFC 5322 §3.6 requires one)"
                : "the From: does not hold exactly one address, so there is no single author domain to check (RFC 7489 §6.6.1)"
            return DMARCVerdict(result: fromValues.isEmpty ? .none : .permerror, fromDomain: nil, policy: nil, record: nil,
                                alignedBy: [], explanation: why, lookups: [])
        }
        var lookups: [DNSLookup] = []
        func policyRecord(_ domain: String) -> String? {
            let records = zone.txt("_dmarc." + domain).filter { $0.hasPrefix("v=DMARC1") }
            lookups.append(DNSLookup(name: "_dmarc." + domain, type: "TXT",
                                     answer: records.isEmpty ? "no record" : records.map { "\"\($0)\"" }.joined(separator: " ")))
            return records.count == 1 ? records[0] : nil
        }
        // §6.6.3: the From: domain's own record, else its organizational domain's (whose sp= then applies).
        var text = policyRecord(from)
        var inherited = false
        let org = organizationalDomain(from)
        if text == nil, org != from { text = policyRecord(org); inherited = text != nil }
        guard let text, let record = DMARCRecord(text) else {
            return DMARCVerdict(result: .none, fromDomain: from, policy: nil, record: nil, alignedBy: [],
                                explanation: "\(from) publishes no DMARC policy, so nothing says what to do when its mail is not authenticated",
                                lookups: lookups)
        }
        let policy = inherited ? (record.subdomainPolicy ?? record.policy) : record.policy
        let alignedSignature = dkim.first { $0.outcome == .pass && Self.aligned($0.domain, from, strict: record.strictDKIM) }
        var passed: [String] = []
        if let alignedSignature { passed.append("DKIM (d=\(alignedSignature.domain))") }
        if spf.result == .pass, Self.aligned(spf.domain, from, strict: record.strictSPF) { passed.append("SPF (\(spf.domain))") }
        if !passed.isEmpty {
            let by = passed.map { $0.hasPrefix("DKIM") ? "dkim" : "spf" }
            return DMARCVerdict(result: .pass, fromDomain: from, policy: policy, record: text, alignedBy: by,
                                explanation: "From: \(from) is vouched for by " + passed.joined(separator: " and ") + ", which passed for a domain aligned with it",
                                lookups: lookups)
        }
        var why: [String] = []
        why.append(spf.result == .pass ? "SPF passed, but for \(spf.domain), not aligned with \(from)" : "SPF did not pass (\(spf.result.rawValue))")
        if dkim.isEmpty { why.append("there is no DKIM signature") }
        else if let good = dkim.first(where: { $0.outcome == .pass }) { why.append("DKIM passed, but for d=\(good.domain), not aligned with \(from)") }
        else { why.append("no DKIM signature verified") }
        let action: String
        switch policy {
        case .reject: action = "its policy p=reject asks receivers to refuse the message"
        case .quarantine: action = "its policy asks receivers to treat the message as suspicious (quarantine)"
        case .none: action = "its policy p=none asks only for reports, so the message is still delivered"
        }
        return DMARCVerdict(result: .fail, fromDomain: from, policy: policy, record: text, alignedBy: [],
                            explanation: "nothing authenticated From: \(from) — " + why.joined(separator: ", ") + "; " + action,
                            lookups: lookups)
    }
}

/// What a receiving MX checks for each message (SPF, DKIM, DMARC) and where: the DNS it reads.
public struct TrustChecks: Sendable, Equatable {
    public var zone: DNSZone
    public init(zone: DNSZone) { self.zone = zone }
}

/// Everything a receiving server concluded about one message, and the Authentication-Results field it writes.
public struct AuthenticationVerdict: Sendable, Equatable {
    /// The server that checked (RFC 8601's authserv-id).
    public let authservID: String
    public let clientAddress: String
    public let spf: SPFVerdict
    public let dkim: [DKIMResult]
    /// The DNS questions DKIM asked (one key per signature).
    public let dkimLookups: [DNSLookup]
    public let dmarc: DMARCVerdict

    /// DMARC failed and the domain asks for reject: the server refuses the message (550 5.7.26, RFC 7372 §3.4).
    public var rejects: Bool { dmarc.disposition == .reject }

    /// "spf=pass dkim=pass dmarc=pass", the short form for notes and checklists.
    public var summary: String {
        "spf=\(spf.result.rawValue) dkim=\(dkimSummary) dmarc=\(dmarc.result.rawValue)"
    }

    var dkimSummary: String { dkim.isEmpty ? "none" : dkim.map(\.outcome.rawValue).joined(separator: ",") }

    /// The Authentication-Results field (RFC 8601 §2.2), folded as stored headers are (LF and a tab).
    public var headerField: String {
        var parts = ["spf=\(spf.result.rawValue) smtp.\(spf.identity)=\(spf.domain.isEmpty ? "(none)" : spf.domain)"]
        if dkim.isEmpty { parts.append("dkim=none (no signature)") }
        for d in dkim {
            let comment = d.outcome == .pass ? "" : " (\(d.reason.split(separator: ":").first ?? ""))"
            parts.append("dkim=\(d.outcome.rawValue)\(comment) header.d=\(d.domain.isEmpty ? "(none)" : d.domain) header.s=\(d.selector.isEmpty ? "(none)" : d.selector)")
        }
        let policy = dmarc.policy.map { " (p=\($0.rawValue))" } ?? ""
        parts.append("dmarc=\(dmarc.result.rawValue)\(policy)" + (dmarc.fromDomain.map { " header.from=\($0)" } ?? ""))
        return "Authentication-Results: \(authservID);\n\t" + parts.joined(separator: ";\n\t")
    }

    /// The refusal when DMARC says reject.
    public var rejection: Reply {
        Reply(550, EnhancedStatusCode(5, 7, 26),
              "Message rejected: dmarc=fail for \(dmarc.fromDomain ?? "the From: domain") (p=reject): neither SPF nor DKIM passed for it")
    }
}

public enum MailAuthenticator {
    /// The MX's checks on `content` (the message as the client sent it, CRLF line ends) from `clientAddress`,
    /// which said HELO `helo` and MAIL FROM:<mailFrom>. `now` is Unix seconds (a signature's x= expiry).
    public static func check(content: [UInt8], clientAddress: String, helo: String, mailFrom: String, checks: TrustChecks,
                             authservID: String, now: Int) -> AuthenticationVerdict {
        let spf = SPF.check(client: clientAddress, mailFrom: mailFrom, helo: helo, zone: checks.zone)
        var keyLookups: [DNSLookup] = []
        let zone = checks.zone
        let dkim = DKIMVerifier.verify(content, txt: { name in
            let records = zone.txt(name)
            keyLookups.append(DNSLookup(name: name, type: "TXT", answer: records.isEmpty ? "no record" : records.map { "\"\($0)\"" }.joined(separator: " ")))
            return records
        }, now: now)
        let froms = MessageOctets.split(content).fields.filter { $0.name.lowercased() == "from" }.map(\.value)
        let dmarc = DMARC.evaluate(fromValues: froms, spf: spf, dkim: dkim, zone: zone)
        return AuthenticationVerdict(authservID: authservID, clientAddress: clientAddress, spf: spf, dkim: dkim,
                                     dkimLookups: keyLookups, dmarc: dmarc)
    }
}

/// Reading an Authentication-Results: value back (RFC 8601 §2.2): the authserv-id, then method=result statements.
public enum AuthenticationResultsField {
    /// Each statement's method and result, e.g. [("spf", "pass"), ("dkim", "fail")]; comments and properties skipped.
    public static func results(_ value: String) -> [(method: String, result: String)] {
        value.split(separator: ";").dropFirst().compactMap { statement in
            guard let first = statement.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).first,
                  let eq = first.firstIndex(of: "=") else { return nil }
            return (first[..<eq].lowercased(), first[first.index(after: eq)...].lowercased())
        }
    }
}

extension StoredMessage {
    /// The value of the Authentication-Results: field `host` itself added (among the fields it put in front), if any.
    public func authenticationResults(by host: String) -> String? {
        headers.prefix(addedHeaderCount).lazy.compactMap { line -> String? in
            guard line.lowercased().hasPrefix("authentication-results:") else { return nil }
            let value = String(line.dropFirst("authentication-results:".count)).trimmingWhitespace()
            return value.lowercased().hasPrefix(host.lowercased() + ";") ? value : nil
        }.first
    }
}
