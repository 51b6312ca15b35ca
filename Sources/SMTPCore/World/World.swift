// The simulated world as one value: the server, its users and every mailbox, each with the reply it teaches.
// The UI shows it (`smtp-tui world`, the inbox); the engine reads it; nothing about it is hidden in code paths.

/// The sample login the suggestions and examples use.
public enum SampleCredentials {
    public static let username = "alice@example.com"
    public static let password = "wonderland"
    /// base64("\0alice@example.com\0wonderland"), the AUTH PLAIN initial response (RFC 4616).
    public static let plainInitialResponse = "AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ="
}

/// Which kind of server the engine plays.
public enum ServerProfile: String, Sendable, CaseIterable {
    /// Port 587 message submission (RFC 6409): STARTTLS, then AUTH, then mail to anywhere.
    case submission
    /// Port 25 receiving server (MX) for domain.com: no AUTH, local recipients only, never an open relay.
    case mx

    public var port: Int { self == .submission ? 587 : 25 }
}

/// What a mailbox does when mail is addressed to it.
public enum MailboxBehaviour: Sendable, Equatable {
    /// Accepts mail.
    case accepts
    /// Refuses every RCPT: the mailbox is over quota (552 5.2.2).
    case full
    /// Refuses the first attempt from a sender with 450 4.2.0 and accepts a retry after `retryAfterTicks`.
    case greylisted(retryAfterTicks: Int)
    /// Not local: accepted with 251 2.1.5 and forwarded to `to`.
    case forwards(to: String)
    /// A mailing list: accepted, then sent on to each member as a new message from the list, with "[name]" before
    /// its Subject and a footer after its body (as list software such as Mailman does).
    case list(name: String, members: [String])
}

public struct MailboxSpec: Sendable, Equatable {
    public let address: String
    public let owner: String
    public var behaviour: MailboxBehaviour  // settable: serve mode shortens greylisting delays
    /// The reply this mailbox demonstrates, for the world map, e.g. "250 2.1.5".
    public let demonstrates: String
    public let note: String
}

public struct UserAccount: Sendable, Equatable {
    public let username: String
    public let password: String
    /// Sender addresses this login may use in MAIL FROM (reject_sender_login_mismatch in Postfix terms).
    public let ownedAddresses: [String]
}

/// A named change to the world the learner can switch on (`scenario NAME` in the terminal).
public struct Scenario: Sendable, Equatable {
    public let name: String
    public let summary: String
    /// Recipients per transaction before 452 4.5.3 (RFC 5321 asks servers to take at least 100).
    public var maxRecipients: Int
    /// Largest message in octets (SIZE= and DATA); 552 5.3.4 above it.
    public var maxMessageSize: Int
    /// When true the next command is answered 421 4.3.2 and the connection closes.
    public var shuttingDown: Bool
}

/// Something the learner can type to see a reply, shown on the world map.
public struct WorldRule: Sendable, Equatable {
    public let reply: String
    public let input: String
    public let explanation: String
}

public struct World: Sendable, Equatable {
    public var serverName: String
    /// The name the connecting client's address resolves to (shown in Received:, as a real server does).
    public var clientName: String
    /// The connecting client's IP address, for Received:.
    public var clientAddress = "192.0.2.10"
    public var localDomain: String
    public var users: [UserAccount]
    public var mailboxes: [MailboxSpec]
    /// A body line containing this text is refused (554 5.7.1), as spam filters refuse the GTUBE test string.
    public var contentRuleMarker: String
    /// Errors without a delivered message before the server hangs up with 421 4.7.0 "Error: too many errors"
    /// (Postfix's smtpd_hard_error_limit, 20). A delivered message forgives earlier errors; a 250 to NOOP does not.
    public var errorLimit: Int
    /// Errors without a delivered message after which every reply is slowed down (Postfix's
    /// smtpd_soft_error_limit, 10).
    public var softErrorLimit = 10
    /// How long each reply is held back past the soft limit, in ticks: 60 = 1 s, Postfix's smtpd_error_sleep_time.
    /// The engine only reports it (`Reply.delayTicks`); whoever delivers the reply waits.
    public var errorDelayTicks = SimulatedTime.ticksPerSecond
    public var scenario: Scenario
    public var scenarios: [Scenario]
    public var rules: [WorldRule]
    /// On submission: the DKIM signer for this server's domain (mail whose From: is in it is signed as it is
    /// accepted). Nil: nothing is signed.
    public var signer: DKIMSigner? = nil
    /// On an MX: SPF, DKIM and DMARC are checked for every message, against this DNS. Nil: nothing is checked.
    public var trust: TrustChecks? = nil

    public func mailbox(_ address: String) -> MailboxSpec? {
        mailboxes.first { ServerSession.equalsIgnoringASCIICase($0.address, address) }
    }

    /// The domain this server's own name belongs to: smtp.example.com → example.com (Postfix's $mydomain).
    public var serverDomain: String {
        guard let dot = serverName.firstIndex(of: ".") else { return serverName }
        return String(serverName[serverName.index(after: dot)...])
    }

    /// The domain appended to an address given without one ("<alice>"), as Postfix's append_at_myorigin does with
    /// $myorigin. The submission server belongs to example.com and is set up as Postfix recommends for a domain
    /// (myorigin = $mydomain, so <alice> is alice@example.com; the stock default $myhostname would give
    /// alice@smtp.example.com). The mx profile plays domain.com's own receiving server, whose myorigin is
    /// domain.com, so <bob> is bob@domain.com.
    public func originDomain(for profile: ServerProfile) -> String {
        profile == .mx ? localDomain : serverDomain
    }

    /// The world a real listener (`serve`, the app's --listen) plays for `profile`: smtp.example.com's submission
    /// service, or domain.com's own MX, named mx.domain.com as `smtp-tui world` and the journey name it (its
    /// greeting, its Received: lines and its certificate say so too). Both keep domain.com's mailboxes.
    /// On submission it DKIM-signs mail whose From: is at example.com with the world's public TEST key (d=example.com,
    /// s=rsa2026), so a learner can check their own program's mail with any DKIM tool against `smtp-tui world --zone`.
    /// The mx profile checks no SPF, DKIM or DMARC: its real clients connect from addresses the world's DNS does not know.
    public static func serving(_ profile: ServerProfile) -> World {
        if profile == .mx { return MailNetwork.domainMXWorld }
        var world = World.standard
        world.signer = exampleComSigner
        return world
    }

    public func scenario(named name: String) -> Scenario? {
        scenarios.first { $0.name.lowercased() == name.lowercased() }
    }

    public static let normalScenario = Scenario(
        name: "normal", summary: "The standard world: up to 100 recipients and 10 MB per message, server up.",
        maxRecipients: 100, maxMessageSize: 10_240_000, shuttingDown: false)

    public static let standard = World(
        serverName: "smtp.example.com",
        clientName: "client.example.com",
        localDomain: "domain.com",
        users: [
            UserAccount(username: SampleCredentials.username, password: SampleCredentials.password,
                        ownedAddresses: ["alice@example.com"]),
        ],
        mailboxes: [
            MailboxSpec(address: "bob@domain.com", owner: "Bob", behaviour: .accepts, demonstrates: "250 2.1.5",
                        note: "The recipient of the examples. Mail to him is delivered to his inbox."),
            MailboxSpec(address: "postmaster@domain.com", owner: "Postmaster", behaviour: .accepts,
                        demonstrates: "250 2.1.5",
                        note: "Every domain must accept mail for postmaster (RFC 5321 §4.5.1); also as RCPT TO:<postmaster>."),
            MailboxSpec(address: "carol@domain.com", owner: "Carol", behaviour: .full, demonstrates: "552 5.2.2",
                        note: "Her mailbox is over quota, so the server refuses new mail for her."),
            MailboxSpec(address: "dave@domain.com", owner: "Dave", behaviour: .greylisted(retryAfterTicks: 300),
                        demonstrates: "450 4.2.0",
                        note: "Greylisted: the first try is refused for now; the same RCPT 5 simulated seconds later is accepted."),
            MailboxSpec(address: "robert@domain.com", owner: "Robert", behaviour: .forwards(to: "bob@example.org"),
                        demonstrates: "251 2.1.5",
                        note: "Moved away: the server accepts and forwards to bob@example.org."),
        ],
        contentRuleMarker: "GTUBE",
        errorLimit: 20,
        scenario: normalScenario,
        scenarios: [
            normalScenario,
            Scenario(name: "tight-limits", summary: "At most 2 recipients and 2 KB messages, to see 452 4.5.3 and 552 5.3.4 quickly.",
                     maxRecipients: 2, maxMessageSize: 2_048, shuttingDown: false),
            Scenario(name: "shutdown", summary: "The server is going down for maintenance: the next command gets 421 4.3.2.",
                     maxRecipients: 100, maxMessageSize: 10_240_000, shuttingDown: true),
        ],
        rules: [
            WorldRule(reply: "550 5.1.1", input: "RCPT TO:<nobody@domain.com>",
                      explanation: "Any other name at domain.com does not exist."),
            WorldRule(reply: "553 5.1.3", input: "RCPT TO:<bob smith@domain.com>",
                      explanation: "An address that breaks RFC 5321 syntax (here: an unquoted space) is not allowed."),
            WorldRule(reply: "554 5.7.1", input: "a body line containing GTUBE",
                      explanation: "The content filter refuses messages carrying the spam test marker."),
            WorldRule(reply: "554 5.7.1", input: "RCPT TO:<someone@elsewhere.org> on the mx profile",
                      explanation: "An MX takes mail only for its own domain: never an open relay. (On submission, without a login MAIL already gets 530 5.7.0.)"),
            WorldRule(reply: "535 5.7.8", input: "AUTH with a wrong password",
                      explanation: "Only alice@example.com / wonderland is a valid login."),
            WorldRule(reply: "552 5.3.4", input: "MAIL FROM:<alice@example.com> SIZE=20000000",
                      explanation: "Messages over 10 MB (2 KB in tight-limits) are refused."),
        ])
}

extension MailboxBehaviour {
    /// Mail for this address leaves again (forwarded, or sent on to a list's members) instead of staying here.
    public var sendsOn: Bool {
        switch self {
        case .forwards, .list: return true
        case .accepts, .full, .greylisted: return false
        }
    }
}
