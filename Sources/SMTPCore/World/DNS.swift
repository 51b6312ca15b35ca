// The simulated Domain Name System: a handful of MX and A records, and the lookup a sending mail server does
// before it can deliver (RFC 5321 §5.1). No packets, no caching, no TTLs: just the answer a real resolver gives.

public struct DNSRecord: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Mail exchanger: which host takes mail for the domain, lowest preference first.
        case mx(preference: Int, exchange: String)
        /// An IPv4 address for a host name.
        case a(String)
    }
    public let name: String
    public let kind: Kind
    public init(_ name: String, _ kind: Kind) { self.name = name; self.kind = kind }

    /// Zone-file style, e.g. "domain.com.  MX 10 mx.domain.com."
    public var description: String {
        switch kind {
        case .mx(let p, let x): return "\(name).  MX \(p) \(x)."
        case .a(let ip): return "\(name).  A \(ip)"
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
