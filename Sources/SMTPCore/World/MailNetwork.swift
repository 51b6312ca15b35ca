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
    /// Machines a session can start from besides the mail servers (Alice's computer, another sender's server).
    public var machines: [ClientMachine] = []

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
            MailboxSpec(address: "bob@elsewhere.org", owner: "Bob (his old address)", behaviour: .forwards(to: "bob@domain.com"),
                        demonstrates: "251 2.1.5",
                        note: "Bob's old address: mx.elsewhere.org forwards his mail to bob@domain.com unchanged, envelope sender and all (SPF then fails at domain.com; a DKIM signature survives)."),
            MailboxSpec(address: "friends@elsewhere.org", owner: "Friends (a mailing list)", behaviour: .list(name: "Friends", members: ["bob@domain.com"]),
                        demonstrates: "250 2.1.5",
                        note: "A mailing list Bob reads: each post goes on to him from the list, Subject tagged [Friends], a footer added (which breaks a DKIM signature)."),
        ]
        w.rules = []
        return w
    }()

    /// The world's DNS: where mail goes (MX, A), and what receivers read to judge senders (TXT: SPF, the DKIM key,
    /// DMARC policies). example.com is strict (only smtp.example.com sends its mail, p=reject); elsewhere.org is
    /// lenient (~all, p=none); mallory.test vouches for its own server and nothing else.
    public static let standardZone = DNSZone([
        DNSRecord("example.com", .mx(preference: 10, exchange: "smtp.example.com")),
        DNSRecord("smtp.example.com", .a("192.0.2.25")),
        DNSRecord("example.com", .txt(["v=spf1 ip4:192.0.2.25 -all"])),
        DNSRecord("\(World.exampleComSigner.selector)._domainkey.example.com",
                  .txt(DNSZone.characterStrings("v=DKIM1; k=rsa; p=" + World.testPublicKeyBase64))),
        DNSRecord("_dmarc.example.com", .txt(["v=DMARC1; p=reject; adkim=r; aspf=r"])),
        DNSRecord("client.example.com", .a("192.0.2.10")),
        DNSRecord("domain.com", .mx(preference: 10, exchange: "mx.domain.com")),
        DNSRecord("mx.domain.com", .a("198.51.100.25")),
        DNSRecord("elsewhere.org", .mx(preference: 10, exchange: "mx.elsewhere.org")),
        DNSRecord("mx.elsewhere.org", .a("203.0.113.25")),
        DNSRecord("elsewhere.org", .txt(["v=spf1 mx ~all"])),
        DNSRecord("_dmarc.elsewhere.org", .txt(["v=DMARC1; p=none"])),
        DNSRecord("mail.mallory.test", .a("203.0.113.66")),
        DNSRecord("mallory.test", .txt(["v=spf1 ip4:203.0.113.66 -all"])),
    ])

    public static let standard: MailNetwork = {
        var submission = submissionWorld
        submission.signer = World.exampleComSigner
        var domainMX = domainMXWorld, elsewhereMX = elsewhereMXWorld
        domainMX.trust = TrustChecks(zone: standardZone)
        elsewhereMX.trust = TrustChecks(zone: standardZone)
        return MailNetwork(
            hosts: [
                MailHost(name: "smtp.example.com", address: "192.0.2.25", role: "submission server for example.com (Alice's provider)",
                         profile: .submission, world: submission),
                MailHost(name: "mx.domain.com", address: "198.51.100.25", role: "MX: receives mail for domain.com (Bob's provider)",
                         profile: .mx, world: domainMX),
                MailHost(name: "mx.elsewhere.org", address: "203.0.113.25", role: "MX: receives mail for elsewhere.org",
                         profile: .mx, world: elsewhereMX),
            ],
            dns: standardZone,
            clientName: "client.example.com",
            clientAddress: "192.0.2.10",
            submissionHostName: "smtp.example.com",
            machines: [
                ClientMachine(name: "client.example.com", address: "192.0.2.10",
                              role: "Alice's computer, where her mail program runs (every session starts here)"),
                ClientMachine(name: "mail.mallory.test", address: "203.0.113.66",
                              role: "a mail server that is not example.com's: mallory.test's (connect HOST from mail.mallory.test)"),
            ])
    }()
}

/// A machine a session can start from: `connect HOST from NAME`. The server sees its address and its name.
public struct ClientMachine: Sendable, Equatable {
    public let name: String
    public let address: String
    public let role: String
}

extension MailNetwork {
    /// The machine called `name`: one of `machines`, or a mail server of the world acting as a client (as a
    /// forwarding server does). Nil for a name the world does not know.
    public func machine(named name: String) -> ClientMachine? {
        let wanted = name.lowercased().trimmingCharacters(in: ".")
        if let m = machines.first(where: { $0.name.lowercased() == wanted }) { return m }
        return host(named: wanted).map { ClientMachine(name: $0.name, address: $0.address, role: $0.role) }
    }
}
