// SPF (RFC 7208): a domain publishes, in a TXT record, which addresses may send mail whose envelope sender
// (MAIL FROM) is in that domain; the receiver asks whether the connecting client's address is one of them. SPF
// judges the envelope only — never the From: a reader sees (that is DMARC's part).

/// One question a receiving server asked DNS while judging a message, and what came back: what the DNS box shows.
public struct DNSLookup: Sendable, Equatable {
    public let name: String
    public let type: String
    /// The answer in a few words: the record's text, an address, or "no record".
    public let answer: String

    public var question: String { "\(type) \(name)?" }
}

/// The results of RFC 7208 §2.6, as Authentication-Results writes them (RFC 8601 §2.7.2).
public enum SPFResult: String, Sendable, Equatable {
    /// No SPF record: the domain says nothing about its senders.
    case none
    /// The domain says it does not know (`?all`).
    case neutral
    /// The client is among the domain's senders.
    case pass
    /// The domain says the client is not one of its senders (`-all`).
    case fail
    /// A weaker "not one of ours": accept, but look closer (`~all`).
    case softfail
    case temperror
    /// The record cannot be read (two records, a syntax error, too many lookups).
    case permerror
}

public struct SPFVerdict: Sendable, Equatable {
    public let result: SPFResult
    /// The domain checked: MAIL FROM's, or the HELO name's when MAIL FROM was empty (RFC 7208 §2.4).
    public let domain: String
    /// Which identity it was: "mailfrom" or "helo" (the Authentication-Results property, RFC 8601 §2.7.2).
    public let identity: String
    /// The record evaluated first (nil when there was none).
    public let record: String?
    /// The term that decided, e.g. "ip4:192.0.2.25" or "-all".
    public let decidingTerm: String?
    /// Why, in a sentence a learner can follow.
    public let explanation: String
    public let lookups: [DNSLookup]
}

public enum SPF {
    /// check_host() (RFC 7208 §4) for `client` sending as `mailFrom` (empty for the null path) after HELO `helo`.
    public static func check(client: String, mailFrom: String, helo: String, zone: DNSZone) -> SPFVerdict {
        let fromDomain = mailFrom.split(separator: "@", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
        let useHelo = mailFrom.isEmpty || !mailFrom.contains("@")
        let domain = useHelo ? helo.lowercased() : fromDomain
        var evaluation = Evaluation(zone: zone, client: IPv4(client))
        let (result, record, term) = evaluation.checkHost(domain, depth: 0)
        let identity = useHelo ? "helo" : "mailfrom"
        let who = useHelo ? "the HELO name \(domain) (MAIL FROM was empty)" : domain
        let explanation: String
        switch result {
        case .none: explanation = "\(who) publishes no SPF record, so nothing says which servers send its mail"
        case .pass: explanation = "\(client) is one of \(who)'s senders (\(term ?? "its record"))"
        case .fail: explanation = "\(client) is not among \(who)'s senders, and its record says to refuse others (\(term ?? "-all"))"
        case .softfail: explanation = "\(client) is not among \(who)'s senders; its record says others are probably not genuine (\(term ?? "~all"))"
        case .neutral: explanation = "\(who)'s record makes no statement about \(client)" + (term.map { " (\($0))" } ?? "")
        case .temperror: explanation = "DNS failed for now while reading \(who)'s record"
        case .permerror: explanation = "\(who)'s SPF record cannot be evaluated: \(evaluation.problem ?? "it is malformed")"
        }
        return SPFVerdict(result: result, domain: domain, identity: identity, record: record, decidingTerm: term,
                          explanation: explanation, lookups: evaluation.lookups)
    }

    struct IPv4: Equatable {
        let value: UInt32?
        init(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { value = nil; return }
            var v: UInt32 = 0
            for p in parts {
                guard let n = UInt32(p), n <= 255, p.count <= 3 else { value = nil; return }
                v = v << 8 | n
            }
            value = v
        }
        func within(_ network: IPv4, prefix: Int) -> Bool {
            guard let a = value, let b = network.value, (0...32).contains(prefix) else { return false }
            let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
            return a & mask == b & mask
        }
    }

    struct Evaluation {
        let zone: DNSZone
        let client: IPv4
        var lookups: [DNSLookup] = []
        /// Mechanisms and modifiers that cost a DNS query: at most 10 per check (RFC 7208 §4.6.4).
        var queryTerms = 0
        var problem: String?

        mutating func txt(_ name: String) -> [String] {
            let records = zone.txt(name)
            lookups.append(DNSLookup(name: name, type: "TXT", answer: records.isEmpty ? "no record" : records.map { "\"\($0)\"" }.joined(separator: " ")))
            return records
        }

        mutating func addresses(_ host: String) -> [String] {
            let a = zone.a(host)
            lookups.append(DNSLookup(name: host, type: "A", answer: a ?? "no record"))
            return a.map { [$0] } ?? []
        }

        mutating func exchangers(_ domain: String) -> [String] {
            let mx = zone.mx(domain)
            lookups.append(DNSLookup(name: domain, type: "MX", answer: mx.isEmpty ? "no record" : mx.map { "\($0.preference) \($0.exchange)" }.joined(separator: ", ")))
            return mx.map(\.exchange)
        }

        mutating func fail(_ why: String) -> (SPFResult, String?, String?) {
            problem = problem ?? why
            return (.permerror, nil, nil)
        }

        /// RFC 7208 §4: the result for `domain`, the record read and the term that decided.
        mutating func checkHost(_ domain: String, depth: Int) -> (SPFResult, String?, String?) {
            guard depth < 10 else { return fail("include/redirect nested too deep") }
            // §4.3: a name that is not a domain gives none.
            guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), domain.count <= 253 else { return (.none, nil, nil) }
            // §4.5: only records that start with "v=spf1" and a space (or nothing more) count; two of them is an error.
            let spf = txt(domain).filter { $0.lowercased() == "v=spf1" || $0.lowercased().hasPrefix("v=spf1 ") }
            guard !spf.isEmpty else { return (.none, nil, nil) }
            guard spf.count == 1 else { return fail("\(domain) publishes \(spf.count) SPF records (§4.5)") }
            let record = spf[0]
            let terms = record.split(separator: " ").dropFirst().map(String.init)
            var redirect: String?
            for term in terms {
                let lower = term.lowercased()
                if lower.hasPrefix("redirect=") { redirect = String(term.dropFirst(9)); continue }
                if lower.hasPrefix("exp=") { continue }  // §6.2: an explanation for refusals; not needed to decide
                if term.contains("%") { return fail("macros (\(term)) are not evaluated by this world's SPF checker") }
                var qualifier: SPFResult = .pass
                var mechanism = Substring(term)
                switch mechanism.first {
                case "+"?: qualifier = .pass; mechanism = mechanism.dropFirst()
                case "-"?: qualifier = .fail; mechanism = mechanism.dropFirst()
                case "~"?: qualifier = .softfail; mechanism = mechanism.dropFirst()
                case "?"?: qualifier = .neutral; mechanism = mechanism.dropFirst()
                default: break
                }
                let (name, argument, prefix) = Self.parts(mechanism)
                let matched: Bool
                switch name {
                case "all":
                    matched = true
                case "ip4":
                    guard let argument else { return fail("ip4 without an address") }
                    matched = client.within(IPv4(argument), prefix: prefix ?? 32)
                case "ip6":
                    matched = false  // every client in this world speaks IPv4; an ip6 network never holds one (§5.6)
                case "a", "mx":
                    queryTerms += 1
                    guard queryTerms <= 10 else { return fail("more than 10 DNS-querying terms (§4.6.4)") }
                    let target = argument ?? domain
                    let hosts = name == "a" ? [target] : exchangers(target)
                    matched = hosts.contains { host in addresses(host).contains { client.within(IPv4($0), prefix: prefix ?? 32) } }
                case "include":
                    queryTerms += 1
                    guard queryTerms <= 10 else { return fail("more than 10 DNS-querying terms (§4.6.4)") }
                    guard let argument else { return fail("include without a domain") }
                    // §5.2: pass matches; fail, softfail and neutral do not; none and permerror are errors.
                    let (inner, _, _) = checkHost(argument.lowercased(), depth: depth + 1)
                    switch inner {
                    case .pass: matched = true
                    case .fail, .softfail, .neutral: matched = false
                    case .temperror: return (.temperror, record, term)
                    case .none, .permerror: return fail("include:\(argument) has no usable SPF record (§5.2)")
                    }
                case "exists":
                    queryTerms += 1
                    guard queryTerms <= 10 else { return fail("more than 10 DNS-querying terms (§4.6.4)") }
                    guard let argument else { return fail("exists without a domain") }
                    matched = !addresses(argument).isEmpty
                case "ptr":
                    queryTerms += 1
                    // §5.5: validated reverse names; this world publishes no PTR records, so none is ever found.
                    matched = false
                default:
                    return fail("unknown mechanism “\(term)” (§4.6.1)")
                }
                if matched { return (qualifier, record, term) }
            }
            if let redirect {
                queryTerms += 1
                guard queryTerms <= 10 else { return fail("more than 10 DNS-querying terms (§4.6.4)") }
                // §6.1: the other domain's result stands; a target without a record is an error.
                let (inner, innerRecord, innerTerm) = checkHost(redirect.lowercased(), depth: depth + 1)
                if inner == .none { return fail("redirect=\(redirect) has no SPF record (§6.1)") }
                return (inner, innerRecord, innerTerm)
            }
            // §4.7: nothing matched and no redirect: neutral.
            return (.neutral, record, nil)
        }

        /// "ip4:192.0.2.0/24" → ("ip4", "192.0.2.0", 24); "mx" → ("mx", nil, nil); "a/24" → ("a", nil, 24).
        static func parts(_ mechanism: Substring) -> (String, String?, Int?) {
            var body = mechanism
            var prefix: Int?
            if let slash = body.firstIndex(of: "/") {
                prefix = Int(body[body.index(after: slash)...].split(separator: "/").first ?? "")
                body = body[..<slash]
            }
            guard let colon = body.firstIndex(of: ":") else { return (body.lowercased(), nil, prefix) }
            return (body[..<colon].lowercased(), String(body[body.index(after: colon)...]), prefix)
        }
    }
}
