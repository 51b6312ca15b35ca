// The simulated Domain Name System: a handful of MX, A and TXT records, the lookup a sending mail server does
// before it can deliver (RFC 5321 §5.1), and the TXT records receiving servers read to judge a sender (SPF,
// DKIM keys, DMARC policies). No packets, no caching: just the answer a real resolver gives.

public struct DNSRecord: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Mail exchanger: which host takes mail for the domain, lowest preference first.
        case mx(preference: Int, exchange: String)
        /// An IPv4 address for a host name.
        case a(String)
        /// Text (RFC 1035 §3.3.14): one or more character-strings of at most 255 octets each, which readers of
        /// SPF, DKIM and DMARC records join without spaces (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
        case txt([String])
    }
    public let name: String
    public let kind: Kind
    public init(_ name: String, _ kind: Kind) { self.name = name; self.kind = kind }

    /// Zone-file style, e.g. "domain.com.  MX 10 mx.domain.com."
    public var description: String {
        switch kind {
        case .mx(let p, let x): return "\(name).  MX \(p) \(x)."
        case .a(let ip): return "\(name).  A \(ip)"
        case .txt(let strings): return "\(name).  TXT " + strings.map { "\"\($0)\"" }.joined(separator: " ")
        }
    }

    /// The record type's mnemonic (RFC 1035 §3.2.2).
    public var type: String {
        switch kind {
        case .mx: return "MX"
        case .a: return "A"
        case .txt: return "TXT"
        }
    }
}

/// The outcome of finding where mail for a domain goes.
public enum MXResolution: Sendable, Equatable {
    /// The hosts to try, best first, each with its address; `implicit` when there was no MX and the domain's own
    /// A record stands in for one (RFC 5321 §5.1).
    case hosts([(name: String, address: String)], implicit: Bool)
    /// Neither MX nor A: the domain cannot receive mail.
    case notFound

    public static func == (a: MXResolution, b: MXResolution) -> Bool {
        switch (a, b) {
        case (.notFound, .notFound): return true
        case let (.hosts(x, i), .hosts(y, j)):
            return i == j && x.map(\.name) == y.map(\.name) && x.map(\.address) == y.map(\.address)
        default: return false
        }
    }
}

public struct DNSZone: Sendable, Equatable {
    public var records: [DNSRecord]
    public init(_ records: [DNSRecord]) { self.records = records }

    public func mx(_ domain: String) -> [(preference: Int, exchange: String)] {
        records.compactMap { r -> (Int, String)? in
            guard r.name.lowercased() == domain.lowercased(), case .mx(let p, let x) = r.kind else { return nil }
            return (p, x)
        }.sorted { $0.0 < $1.0 }  // stable: equal preferences keep zone order, no random shuffle
    }

    public func a(_ host: String) -> String? {
        for r in records where r.name.lowercased() == host.lowercased() { if case .a(let ip) = r.kind { return ip } }
        return nil
    }

    /// `text` cut into character-strings of at most 255 octets (RFC 1035 §3.3), as a long DKIM key must be.
    public static func characterStrings(_ text: String) -> [String] {
        var out: [String] = [], rest = Substring(text)
        while !rest.isEmpty { out.append(String(rest.prefix(255))); rest = rest.dropFirst(255) }
        return out
    }

    /// Every TXT record at `name`, each one's strings joined (as SPF, DKIM and DMARC read them).
    public func txt(_ name: String) -> [String] {
        let wanted = name.lowercased().trimmingCharacters(in: ".")
        return records.compactMap { r -> String? in
            guard r.name.lowercased() == wanted, case .txt(let strings) = r.kind else { return nil }
            return strings.joined()
        }
    }

    /// The zone as an RFC 1035 master file (§5.1): one resource record a line, absolute names, class IN on every line
    /// and the default TTL from `$TTL` (RFC 2308 §4), TXT strings quoted (a `"` or `\` inside one escaped with a backslash).
    public var masterFile: String {
        var out = ["; The simulated world's DNS, every domain's records, as an RFC 1035 master file (smtp-tui world --zone).",
                   "; Addresses are from the documentation ranges of RFC 5737; no real name server serves these records.",
                   "; The DKIM key is a published TEST key: its private half ships with smtp-tui. For teaching only.",
                   "$TTL 3600"]
        let width = (records.map { $0.name.count }.max() ?? 0) + 2
        for r in records {
            let owner = r.name + "." + String(repeating: " ", count: max(1, width - r.name.count - 1))
            let data: String
            switch r.kind {
            case .mx(let p, let x): data = "\(p) \(x)."
            case .a(let ip): data = ip
            case .txt(let strings): data = strings.map { "\"" + Self.escaped($0) + "\"" }.joined(separator: " ")
            }
            out.append(owner + "IN " + r.type.padding(4) + data)
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for ch in text {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// RFC 5321 §5.1: MX records by preference; exchanges without an address are skipped; no MX at all means the
    /// domain's A record is an implicit MX of preference 0; nothing at all means the mail cannot be delivered.
    public func resolveMail(for name: String) -> MXResolution {
        let domain = name.lowercased()
        let exchangers = mx(domain)
        if !exchangers.isEmpty {
            let hosts = exchangers.compactMap { e in a(e.exchange).map { (name: e.exchange, address: $0) } }
            return hosts.isEmpty ? .notFound : .hosts(hosts, implicit: false)
        }
        if let ip = a(domain) { return .hosts([(name: domain, address: ip)], implicit: true) }
        return .notFound
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
