// The whole simulated Internet as one value: the mail servers (each a `World` the engine plays), the DNS that
// links domains to them, and who sits where. Mail travels through it as real mail does: Alice's client submits to
// smtp.example.com on port 587; that server queues the message, asks DNS for the recipient domain's MX, and hands
// the message to that MX on port 25, which stores it in the mailbox — or smtp.example.com sends Alice a bounce.

public struct MailHost: Sendable, Equatable {
    /// Host name, e.g. "mx.domain.com".
    public let name: String
    public let address: String
    /// What this server is for, in a few words, for the world map and the diagram.
    public let role: String
    public let profile: ServerProfile
    /// The server's own configuration: its domain, mailboxes, users and limits.
    public var world: World
    public var port: Int { profile.port }
}

public struct MailNetwork: Sendable, Equatable {
    public var hosts: [MailHost]
    public var dns: DNSZone
    /// Alice's mail program and the machine it runs on: every learner session starts here.
    public var clientName: String
    public var clientAddress: String
    /// Where Alice submits her mail (her provider's submission server).
    public var submissionHostName: String

    public func host(named name: String) -> MailHost? {
        let wanted = name.lowercased().trimmingCharacters(in: ".")
        return hosts.first { $0.name.lowercased() == wanted }
    }

    public var submissionHost: MailHost {
        // The standard network always has it; a hand-made network without one falls back to its first host.
        host(named: submissionHostName) ?? hosts[0]
    }

    /// The host whose mailboxes hold `address`'s domain, if it is one of ours (found through DNS, as a sender would).
    public func mailHost(forDomain domain: String) -> MailHost? {
        guard case .hosts(let list, _) = dns.resolveMail(for: domain) else { return nil }
        return list.lazy.compactMap { host(named: $0.name) }.first
    }

    /// Every mailbox of every host, with the host that keeps it.
    public var allMailboxes: [(host: MailHost, box: MailboxSpec)] {
        hosts.flatMap { h in h.world.mailboxes.map { (h, $0) } }
    }

    // MARK: - The standard network

    public static let submissionWorld: World = {
        var w = World.standard
        w.serverName = "smtp.example.com"
        w.localDomain = "example.com"
        w.mailboxes = [
            MailboxSpec(address: "alice@example.com", owner: "Alice", behaviour: .accepts, demonstrates: "250 2.1.5",
                        note: "Alice's own mailbox. Bounces (delivery status notifications) for her mail land here."),
            MailboxSpec(address: "postmaster@example.com", owner: "Postmaster", behaviour: .accepts, demonstrates: "250 2.1.5",
                        note: "example.com's postmaster, as every domain must have (RFC 5321 §4.5.1)."),
        ]
        w.rules = [
            WorldRule(reply: "250 2.1.5", input: "RCPT TO:<anyone@any.domain> after AUTH",
                      explanation: "A submission server takes mail for any domain from a logged-in user and delivers it itself."),
            WorldRule(reply: "530 5.7.0", input: "MAIL FROM:<alice@example.com> before AUTH",
                      explanation: "Without a login the server starts no message at all (RFC 4954 §6); RCPT then gets 503."),
            WorldRule(reply: "535 5.7.8", input: "AUTH with a wrong password",
                      explanation: "Only alice@example.com / wonderland is a valid login."),
            WorldRule(reply: "553 5.1.3", input: "RCPT TO:<bob smith@domain.com>",
                      explanation: "An address that breaks RFC 5321 syntax (here: an unquoted space) is not allowed."),
            WorldRule(reply: "554 5.7.1", input: "a body line containing GTUBE",
                      explanation: "The content filter refuses messages carrying the spam test marker."),
            WorldRule(reply: "552 5.3.4", input: "MAIL FROM:<alice@example.com> SIZE=20000000",
                      explanation: "Messages over 10 MB (2 KB in tight-limits) are refused."),
        ]
        return w
    }()

    public static let domainMXWorld: World = {
        var w = World.standard
        w.serverName = "mx.domain.com"
        w.users = []  // a port-25 MX takes no logins
        w.rules = [
            WorldRule(reply: "550 5.1.1", input: "RCPT TO:<nobody@domain.com>",
                      explanation: "Any other name at domain.com does not exist: sent through smtp.example.com, it bounces."),
            WorldRule(reply: "554 5.7.1", input: "RCPT TO:<someone@elsewhere.org>",
                      explanation: "An MX takes mail only for its own domain: never an open relay."),
            WorldRule(reply: "553 5.1.3", input: "RCPT TO:<bob smith@domain.com>",
                      explanation: "An address that breaks RFC 5321 syntax (here: an unquoted space) is not allowed."),
        ]
        return w
    }()

    public static let elsewhereMXWorld: World = {
        var w = World.standard
        w.serverName = "mx.elsewhere.org"
        w.localDomain = "elsewhere.org"
        w.users = []
        w.mailboxes = [
            MailboxSpec(address: "someone@elsewhere.org", owner: "Someone", behaviour: .accepts, demonstrates: "250 2.1.5",
                        note: "A mailbox at another provider: mail to it leaves through elsewhere.org's own MX, not domain.com's."),
            MailboxSpec(address: "postmaster@elsewhere.org", owner: "Postmaster", behaviour: .accepts, demonstrates: "250 2.1.5",
                        note: "elsewhere.org's postmaster."),
        ]
        w.rules = []
        return w
    }()

    public static let standard = MailNetwork(
        hosts: [
            MailHost(name: "smtp.example.com", address: "192.0.2.25", role: "submission server for example.com (Alice's provider)",
                     profile: .submission, world: submissionWorld),
            MailHost(name: "mx.domain.com", address: "198.51.100.25", role: "MX: receives mail for domain.com (Bob's provider)",
                     profile: .mx, world: domainMXWorld),
            MailHost(name: "mx.elsewhere.org", address: "203.0.113.25", role: "MX: receives mail for elsewhere.org",
                     profile: .mx, world: elsewhereMXWorld),
        ],
        dns: DNSZone([
            DNSRecord("example.com", .mx(preference: 10, exchange: "smtp.example.com")),
            DNSRecord("smtp.example.com", .a("192.0.2.25")),
            DNSRecord("domain.com", .mx(preference: 10, exchange: "mx.domain.com")),
            DNSRecord("mx.domain.com", .a("198.51.100.25")),
            DNSRecord("elsewhere.org", .mx(preference: 10, exchange: "mx.elsewhere.org")),
            DNSRecord("mx.elsewhere.org", .a("203.0.113.25")),
            DNSRecord("client.example.com", .a("192.0.2.10")),
        ]),
        clientName: "client.example.com",
        clientAddress: "192.0.2.10",
        submissionHostName: "smtp.example.com")
}
