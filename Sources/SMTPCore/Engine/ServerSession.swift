// The server side of one SMTP session (RFC 5321), as a pure state machine: client bytes in, replies and events
// out. It reads no clock (the caller sets `now` in ticks), does no I/O and never traps on input, so the same
// value drives the TUI, `serve --stdio` and the benchmark.
//
// Where real servers disagree, the RFC's side is taken and the choice is named in a comment beside the reply.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the session is in RFC 5321 §4.1.4's order of commands.
public enum SessionPhase: String, Sendable, Equatable {
    /// Greeting sent; the client must say EHLO or HELO.
    case connected
    /// EHLO/HELO accepted; no transaction open.
    case greeted
    /// MAIL accepted; recipients may follow.
    case mail
    /// At least one RCPT accepted.
    case rcpt
    /// After 354: body lines until a line holding only ".".
    case data
    /// Inside an AUTH exchange, waiting for a base64 line after a 334.
    case auth
    /// QUIT answered, or the server hung up (421).
    case closed
}

/// What a reply answered, so callers can label and animate it without parsing SMTP.
public enum ReplyCause: Sendable, Equatable {
    case greeting
    case command(verb: String)
    case messageEnd
    case authResponse
    case serverInitiated
}

public enum SessionOutput: Sendable, Equatable {
    case reply(Reply, cause: ReplyCause)
    /// The TLS handshake after "220 2.0.0 Ready to start TLS" (simulated here; the session state was reset).
    case tlsStarted
    case authenticated(user: String)
    indirect case delivered(StoredMessage)
    case closed
}

public struct ServerSession: Sendable {
    public private(set) var world: World
    public let profile: ServerProfile
    /// What the server keeps between sessions. Settable so several sessions with one server share one store.
    public var store: MailStore
    /// Keep delivered messages in `store` (the benchmark turns this off to measure the engine alone).
    public var storesMessages = true
    /// The simulation tick, set by the caller before feeding bytes; used for timestamps and greylisting.
    public var now = 0
    /// False where the caller cannot speak TLS: STARTTLS is then not advertised and is answered 454 4.7.0.
    public var tlsAvailable = true
    /// Postfix 3.9's defences against SMTP smuggling, for real clients (`serve`); the simulation leaves them off
    /// because its lines always end in CRLF and arrive one at a time.
    /// - Only `<CR><LF>.<CR><LF>` ends DATA. A "." line that ends in a bare LF or follows one (`<LF>.<LF>`,
    ///   `<LF>.<CR><LF>`, `<CR><LF>.<LF>`) ends the session with 521 5.5.2 and the message is dropped. Other bare-LF
    ///   lines are taken as lines, as Postfix 3.9's default smtpd_forbid_bare_newline=normal does, because real
    ///   clients send them (curl uploads a file's LF line ends as they are); they are stored with CRLF.
    /// - Bytes already sent behind DATA, before the 354 (RFC 2920 §3.1: DATA ends a pipelined group), end the
    ///   session with 554 5.5.0, as smtpd_forbid_unauth_pipelining=yes (the 3.9 default) does.
    public var forbidsSmuggling = false
    private var lastLineBare = false

    public private(set) var phase: SessionPhase = .connected
    public private(set) var tlsActive = false
    public private(set) var authenticatedUser: String?
    /// The name the client gave in EHLO/HELO.
    public private(set) var clientName: String?
    /// True after EHLO (extensions available), false after HELO.
    public private(set) var extended = false
    public private(set) var reversePath: String?
    public private(set) var recipients: [String] = []
    /// Errors since the last successful command.
    public private(set) var errorsInARow = 0
    public private(set) var greeted = false

    // Transaction details that the UI need not see.
    private var declaredSize: Int?
    private var bodyType = "7BIT"
    private var smtputf8 = false
    private var rejectedRecipients = 0
    /// The message as received, dot-unstuffed, lines joined by LF (one buffer: no allocation per line).
    private var body: [UInt8] = []
    private var bodyLineCount = 0
    private var bodySize = 0
    private var bodyHasLongLine = false
    private var bodyMatchesContentRule = false
    private var bodyOverSize = false
    private var authMechanism = ""
    private var authUsername: String?
    private var framer = LineFramer()
    private var tlsJustStarted = false
    private var messageCounter = 0
    private let idSeed: UInt64
    private var contentMarker: [UInt8]

    /// Octets in a command line without CRLF (RFC 5321 §4.5.3.1.4: 512 with CRLF).
    public static let commandLineLimit = 510
    /// Octets in a text line without CRLF (RFC 5321 §4.5.3.1.6: 1000 with CRLF).
    public static let textLineLimit = 998
    /// AUTH responses may be longer than commands (RFC 4954 §4: at least 12288 octets).
    public static let authLineLimit = 12_288

    public init(world: World = .standard, profile: ServerProfile = .submission, store: MailStore = MailStore(),
                seed: UInt64 = 0x5EED) {
        self.world = world
        self.profile = profile
        self.store = store
        self.idSeed = seed
        self.contentMarker = Array(world.contentRuleMarker.utf8)
    }

    public var isClosed: Bool { phase == .closed }
    public var inTransaction: Bool { phase == .mail || phase == .rcpt || phase == .data }

    /// The 220 greeting (RFC 5321 §4.3.1). Call once, before any input.
    public mutating func start() -> [SessionOutput] {
        greeted = true
        if world.scenario.shuttingDown {
            // RFC 5321 §3.1: a server that cannot serve now greets with 421 and closes.
            phase = .closed
            return [.reply(Reply(421, EnhancedStatusCode(4, 3, 2), "\(world.serverName) Service not available, closing transmission channel"),
                           cause: .greeting), .closed]
        }
        return [.reply(Reply(220, nil, "\(world.serverName) ESMTP smtp-tui (simulated mail server)"), cause: .greeting)]
    }

    /// What an AUTH exchange waits for, while `phase == .auth`.
    public enum AuthPrompt: Sendable, Equatable { case plainResponse, loginUsername, loginPassword }
    public var authPrompt: AuthPrompt? {
        guard phase == .auth else { return nil }
        if authMechanism == "PLAIN" { return .plainResponse }
        return authUsername == nil ? .loginUsername : .loginPassword
    }

    /// Switches the scenario (e.g. the server starts shutting down) without dropping the connection.
    public mutating func setScenario(_ scenario: Scenario) { world.scenario = scenario }

    /// Feeds client bytes in any chunking; returns the outputs of every line they complete.
    @inlinable
    public mutating func receive<Bytes: Sequence>(_ bytes: Bytes) -> [SessionOutput] where Bytes.Element == UInt8 {
        if let direct = bytes.withContiguousStorageIfAvailable({ receiveBuffer($0) }) { return direct }
        return Array(bytes).withUnsafeBufferPointer { receiveBuffer($0) }
    }

    @usableFromInline
    mutating func receiveBuffer(_ bytes: UnsafeBufferPointer<UInt8>) -> [SessionOutput] {
        var outputs: [SessionOutput] = []
        var index = 0
        while index < bytes.count, phase != .closed {
            let limit = phase == .data ? Self.textLineLimit : phase == .auth ? Self.authLineLimit : Self.commandLineLimit
            guard let line = framer.take(from: bytes, at: &index, limit: limit) else { break }
            let bareBefore = lastLineBare
            lastLineBare = line.bareLineFeed
            if forbidsSmuggling, phase == .data, line.bareLineFeed || bareBefore, !line.overflowed, line.bytes == [0x2E] {
                // A bare-LF end of data is the smuggling pattern, never a real client's. The words are Postfix's
                // (smtpd_forbid_bare_newline=reject); 521 rather than its 550 because the session ends here
                // (RFC 7504), and the message in progress is dropped, never half-delivered.
                close(with: Reply(521, EnhancedStatusCode(5, 5, 2), "\(world.serverName) Error: bare <LF> received"), into: &outputs)
                break
            }
            let before = phase
            handle(line, into: &outputs)
            if forbidsSmuggling, before != .data, phase == .data, index < bytes.count {
                // The client sent its message before seeing 354. Postfix 3.9 (smtpd_forbid_unauth_pipelining=yes)
                // answers exactly so instead of the 354 and hangs up; accepting it is what smuggling relies on.
                outputs.removeLast()
                close(with: Reply(554, EnhancedStatusCode(5, 5, 0), "Error: SMTP protocol synchronization"), into: &outputs)
                break
            }
            // RFC 3207 §4.2: plaintext pipelined behind STARTTLS must be thrown away (the command-injection fix).
            if tlsJustStarted { tlsJustStarted = false; framer.discardBuffered(); break }
        }
        return outputs
    }

    /// A convenience for tests and the TUI: one line, CRLF added.
    public mutating func receiveLine(_ line: String) -> [SessionOutput] {
        receive(Array(line.utf8) + [0x0D, 0x0A])
    }

    /// The client closed its side. A real server just closes too; an unfinished DATA is discarded.
    public mutating func endOfInput() -> [SessionOutput] {
        guard phase != .closed else { return [] }
        phase = .closed
        return [.closed]
    }

    // MARK: - Dispatch

    private mutating func handle(_ line: FramedLine, into out: inout [SessionOutput]) {
        switch phase {
        case .data: handleBodyLine(line, into: &out)
        case .auth: handleAuthResponse(line, into: &out)
        case .closed: return
        default: handleCommand(line, into: &out)
        }
    }

    private mutating func handleCommand(_ line: FramedLine, into out: inout [SessionOutput]) {
        if world.scenario.shuttingDown {
            // RFC 5321 §3.8: a server that must shut down answers any command with 421 and closes.
            close(with: Reply(421, EnhancedStatusCode(4, 3, 2),
                              "\(world.serverName) Service shutting down, closing transmission channel"), into: &out)
            return
        }
        if line.overflowed {
            // RFC 5321 §4.5.3.1.4 allows 500 for an over-long line; the whole line has been consumed first.
            reply(Reply(500, EnhancedStatusCode(5, 5, 2), "Error: line too long (a command line may hold at most 512 octets with CRLF)"),
                  to: .command(verb: ""), into: &out)
            return
        }
        let text = String(decoding: line.bytes, as: UTF8.self)
        let u = text.utf8
        var verbStart = u.startIndex
        while verbStart < u.endIndex && u[verbStart] == UInt8(ascii: " ") { verbStart = u.index(after: verbStart) }
        let verbEnd = u[verbStart...].firstIndex { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ":") } ?? u.endIndex
        let verb = Self.asciiUppercased(text[verbStart..<verbEnd])
        var argument = text[verbEnd...]
        if argument.utf8.first == UInt8(ascii: " ") { argument = argument[argument.utf8.index(after: argument.startIndex)...] }
        let cause = ReplyCause.command(verb: verb)

        switch verb {
        case "EHLO", "HELO": hello(verb: verb, argument: argument, into: &out)
        case "MAIL": mail(argument, into: &out)
        case "RCPT": rcpt(argument, into: &out)
        case "DATA": data(argument, into: &out)
        case "RSET":
            guard argument.allSatisfy({ $0 == " " }) else {
                return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: RSET"), to: cause, into: &out)
            }
            resetTransaction()
            reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok"), to: cause, into: &out)
        case "NOOP":
            // RFC 5321 §4.1.1.9: an argument is allowed and ignored.
            reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok"), to: cause, into: &out)
        case "QUIT":
            reply(Reply(221, EnhancedStatusCode(2, 0, 0), "Bye"), to: cause, into: &out)
            phase = .closed
            out.append(.closed)
        case "VRFY":
            guard !argument.allSatisfy({ $0 == " " }) else {
                return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: VRFY address"), to: cause, into: &out)
            }
            // RFC 5321 §3.5.3/§7.3: careful servers do not confirm who exists (harvesters use VRFY); 252 says
            // "I won't tell, but send it and I will try".
            reply(Reply(252, EnhancedStatusCode(2, 0, 0), "Cannot VRFY user, but will accept message and attempt delivery"),
                  to: cause, into: &out)
        case "HELP": help(argument, into: &out)
        case "STARTTLS": startTLS(argument, into: &out)
        case "AUTH": auth(argument, into: &out)
        case "EXPN", "TURN", "ETRN", "ATRN", "BDAT", "SEND", "SOML", "SAML":
            // Known SMTP verbs this server does not offer: 502, not 500 (RFC 5321 §4.2.4).
            reply(Reply(502, EnhancedStatusCode(5, 5, 1), "Error: command not implemented"), to: cause, into: &out)
        case "":
            reply(Reply(500, EnhancedStatusCode(5, 5, 2), "Error: bad syntax"), to: cause, into: &out)
        default:
            reply(Reply(500, EnhancedStatusCode(5, 5, 2), "Error: command not recognized"), to: cause, into: &out)
        }
    }

    // MARK: - Commands

    private mutating func hello(verb: String, argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: verb)
        let name = argument.trimmingCharacters(in: " ")
        guard !name.isEmpty else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: \(verb) hostname"), to: cause, into: &out)
        }
        // EHLO/HELO in the middle of a transaction abandons it, like RSET (RFC 5321 §4.1.4).
        resetTransaction()
        clientName = String(name.prefix(255))
        phase = .greeted
        if verb == "HELO" {
            extended = false
            return reply(Reply(250, nil, world.serverName), to: cause, into: &out)
        }
        extended = true
        var lines = ["\(world.serverName) Hello \(sanitized(name))", "PIPELINING", "SIZE \(world.scenario.maxMessageSize)"]
        if !tlsActive && tlsAvailable { lines.append("STARTTLS") }
        // Submission servers offer AUTH only over TLS (RFC 4954 §4; Postfix smtpd_tls_auth_only=yes).
        if profile == .submission && tlsActive { lines.append("AUTH PLAIN LOGIN") }
        lines += ["ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8"]
        reply(Reply(250, nil, lines), to: cause, into: &out)
    }

    private mutating func mail(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "MAIL")
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard !inTransaction else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: nested MAIL command"), to: cause, into: &out)
        }
        guard Self.hasASCIIPrefix(argument, "FROM:") else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: MAIL FROM:<address>"), to: cause, into: &out)
        }
        if profile == .submission {
            // Gmail's and Microsoft's submission ports answer exactly so; RFC 3207 §4 / RFC 4954 §6 give the codes.
            guard tlsActive else {
                return reply(Reply(530, EnhancedStatusCode(5, 7, 0), "Must issue a STARTTLS command first"), to: cause, into: &out)
            }
            guard authenticatedUser != nil else {
                return reply(Reply(530, EnhancedStatusCode(5, 7, 0), "Authentication required"), to: cause, into: &out)
            }
        }
        let (pathText, parameters) = AddressParser.splitPathAndParameters(argument.dropFirst(5))
        let path: String
        switch AddressParser.parsePath(pathText, allowPostmaster: false) {
        case .missingBrackets:
            // RFC 5321 §4.1.2 requires <...>. Stock Postfix accepts a bare address (strict_rfc821_envelopes=no);
            // we take the RFC's side so learners meet the rule.
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: MAIL FROM:<address>"), to: cause, into: &out)
        case .badAddress(let why):
            return reply(Reply(553, EnhancedStatusCode(5, 1, 7), "\(sanitized(pathText)): Sender address rejected: \(why)"),
                         to: cause, into: &out)
        case .postmaster, .null:
            path = ""
        case .mailbox(let address):
            path = address.description
        }
        var size: Int?, body = "7BIT", utf8 = false
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].uppercased(), value = parts.count > 1 ? String(parts[1]) : nil
            switch (key, extended) {
            case ("SIZE", true):
                guard let v = value, !v.isEmpty, v.count <= 18, v.allSatisfy(\.isASCIIDigit), let n = Int(v) else {
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Bad message size syntax"), to: cause, into: &out)
                }
                size = n
            case ("BODY", true):
                guard let v = value?.uppercased(), v == "7BIT" || v == "8BITMIME" else {
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Bad BODY keyword: use BODY=7BIT or BODY=8BITMIME"),
                                 to: cause, into: &out)
                }
                body = v
            case ("SMTPUTF8", true) where value == nil:
                utf8 = true
            case ("AUTH", true) where value != nil && profile == .submission:
                break  // RFC 4954 §5: the AUTH= parameter is accepted and may be ignored.
            default:
                // RFC 5321 §4.1.1.11: 555 for parameters not recognised (all of them after plain HELO).
                return reply(Reply(555, EnhancedStatusCode(5, 5, 4), "Unsupported option: \(sanitized(parameter))"),
                             to: cause, into: &out)
            }
        }
        if !path.utf8.allSatisfy({ $0 < 0x80 }) && !utf8 {
            // RFC 6531 §3.7.4.1.
            return reply(Reply(553, EnhancedStatusCode(5, 6, 7), "Non-ASCII address requires the SMTPUTF8 parameter"),
                         to: cause, into: &out)
        }
        if let size, size > world.scenario.maxMessageSize {
            // RFC 1870 §6.1; Postfix's exact words.
            return reply(Reply(552, EnhancedStatusCode(5, 3, 4), "Message size exceeds fixed limit"), to: cause, into: &out)
        }
        if profile == .submission, !path.isEmpty, let user = authenticatedUser,
           let account = world.users.first(where: { $0.username == user }),
           !account.ownedAddresses.contains(where: { $0.lowercased() == path.lowercased() }) {
            // Postfix's reject_sender_login_mismatch: a logged-in user may only send as their own addresses.
            return reply(Reply(553, EnhancedStatusCode(5, 7, 1), "<\(sanitized(path))>: Sender address rejected: not owned by user \(user)"),
                         to: cause, into: &out)
        }
        reversePath = path
        declaredSize = size
        bodyType = body
        smtputf8 = utf8
        phase = .mail
        reply(Reply(250, EnhancedStatusCode(2, 1, 0), "Ok"), to: cause, into: &out)
    }

    private mutating func rcpt(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "RCPT")
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard phase == .mail || phase == .rcpt else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need MAIL command"), to: cause, into: &out)
        }
        guard Self.hasASCIIPrefix(argument, "TO:") else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: RCPT TO:<address>"), to: cause, into: &out)
        }
        let (pathText, parameters) = AddressParser.splitPathAndParameters(argument.dropFirst(3))
        let address: String
        switch AddressParser.parsePath(pathText, allowPostmaster: true) {
        case .missingBrackets:
            rejectedRecipients += 1
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: RCPT TO:<address>"), to: cause, into: &out)
        case .null:
            rejectedRecipients += 1
            return reply(Reply(553, EnhancedStatusCode(5, 1, 3), "<>: Recipient address rejected: the null path is only for senders"),
                         to: cause, into: &out)
        case .badAddress(let why):
            // RFC 5321 §4.2.2: 553 "mailbox name not allowed (e.g. mailbox syntax incorrect)"; RFC 3463 5.1.3.
            rejectedRecipients += 1
            return reply(Reply(553, EnhancedStatusCode(5, 1, 3), "\(sanitized(pathText)): Recipient address rejected: \(why)"),
                         to: cause, into: &out)
        case .postmaster:
            address = "postmaster@\(world.localDomain)"
        case .mailbox(let mailbox):
            address = mailbox.description
        }
        if let parameter = parameters.first {
            rejectedRecipients += 1
            return reply(Reply(555, EnhancedStatusCode(5, 5, 4), "Unsupported option: \(sanitized(parameter))"), to: cause, into: &out)
        }
        if !address.utf8.allSatisfy({ $0 < 0x80 }) && !smtputf8 {
            rejectedRecipients += 1
            return reply(Reply(553, EnhancedStatusCode(5, 6, 7), "Non-ASCII address requires SMTPUTF8 in MAIL FROM"),
                         to: cause, into: &out)
        }
        guard recipients.count < world.scenario.maxRecipients else {
            // Postfix's words. 452, not 552: the client should send the rest in another transaction (§4.5.3.1.10).
            return reply(Reply(452, EnhancedStatusCode(4, 5, 3), "Error: too many recipients"), to: cause, into: &out)
        }
        let domain = address.split(separator: "@").last.map { $0.lowercased() } ?? ""
        let shown = "<\(sanitized(address))>"
        if domain == world.localDomain.lowercased() {
            guard let box = world.mailbox(address) else {
                rejectedRecipients += 1
                return reply(Reply(550, EnhancedStatusCode(5, 1, 1), "\(shown): Recipient address rejected: User unknown in virtual mailbox table"),
                             to: cause, into: &out)
            }
            switch box.behaviour {
            case .accepts:
                break
            case .full:
                rejectedRecipients += 1
                return reply(Reply(552, EnhancedStatusCode(5, 2, 2), "\(shown): Recipient address rejected: Mailbox full"),
                             to: cause, into: &out)
            case .greylisted(let wait):
                let key = "\((reversePath ?? "").lowercased())|\(box.address.lowercased())"
                let first = store.greylist[key] ?? now
                store.greylist[key] = first
                let remaining = first + wait - now
                if remaining > 0 {
                    let seconds = (remaining + SimulatedTime.ticksPerSecond - 1) / SimulatedTime.ticksPerSecond
                    rejectedRecipients += 1
                    return reply(Reply(450, EnhancedStatusCode(4, 2, 0), "\(shown): Recipient address rejected: Greylisted, please try again in \(seconds) seconds"),
                                 to: cause, into: &out)
                }
            case .forwards(let target):
                recipients.append(box.address)
                phase = .rcpt
                return reply(Reply(251, EnhancedStatusCode(2, 1, 5), "User not local; will forward to <\(target)>"), to: cause, into: &out)
            }
            recipients.append(box.address)
        } else {
            // Another domain: only an authenticated submission client may relay. Never an open relay.
            guard profile == .submission, authenticatedUser != nil else {
                rejectedRecipients += 1
                return reply(Reply(554, EnhancedStatusCode(5, 7, 1), "\(shown): Relay access denied"), to: cause, into: &out)
            }
            recipients.append(address)
        }
        phase = .rcpt
        reply(Reply(250, EnhancedStatusCode(2, 1, 5), "Ok"), to: cause, into: &out)
    }

    private mutating func data(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "DATA")
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard argument.allSatisfy({ $0 == " " }) else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: DATA"), to: cause, into: &out)
        }
        guard phase == .mail || phase == .rcpt else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need MAIL command"), to: cause, into: &out)
        }
        guard phase == .rcpt else {
            // Postfix: 554 when every RCPT was refused, 503 when none was even tried (RFC 5321 §3.3).
            if rejectedRecipients > 0 {
                return reply(Reply(554, EnhancedStatusCode(5, 5, 1), "Error: no valid recipients"), to: cause, into: &out)
            }
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need RCPT command"), to: cause, into: &out)
        }
        phase = .data
        body.removeAll(keepingCapacity: true); bodyLineCount = 0
        bodySize = 0; bodyHasLongLine = false; bodyMatchesContentRule = false; bodyOverSize = false
        reply(Reply(354, nil, "End data with <CR><LF>.<CR><LF>"), to: cause, into: &out)
    }

    private mutating func handleBodyLine(_ line: FramedLine, into out: inout [SessionOutput]) {
        if !line.overflowed, line.bytes == [0x2E] { return finishMessage(into: &out) }
        if line.overflowed { bodyHasLongLine = true }
        // RFC 5321 §4.5.2: a leading dot was doubled by the client; remove one.
        var bytes = line.bytes[...]
        if bytes.first == 0x2E { bytes = bytes.dropFirst() }
        let length = line.overflowed ? line.length : bytes.count
        bodySize += length + 2
        if bodySize > world.scenario.maxMessageSize { bodyOverSize = true }
        guard !bodyOverSize else { return }  // keep counting, stop storing: memory stays bounded
        if !bodyMatchesContentRule, Self.contains(bytes, contentMarker) { bodyMatchesContentRule = true }
        if bodyLineCount > 0 { body.append(0x0A) }
        body.append(contentsOf: bytes)
        bodyLineCount += 1
    }

    private mutating func finishMessage(into out: inout [SessionOutput]) {
        let cause = ReplyCause.messageEnd
        defer { resetTransaction(); body.removeAll(keepingCapacity: true); bodyLineCount = 0 }
        phase = .greeted
        if bodyOverSize || (declaredSize.map { $0 > world.scenario.maxMessageSize } ?? false) {
            return reply(Reply(552, EnhancedStatusCode(5, 3, 4), "Message size exceeds fixed limit"), to: cause, into: &out)
        }
        if bodyHasLongLine {
            // RFC 5321 §4.5.3.1.6 limits text lines to 1000 octets with CRLF; servers may refuse the message.
            return reply(Reply(500, EnhancedStatusCode(5, 5, 2), "Error: message has a line longer than 1000 octets"),
                         to: cause, into: &out)
        }
        if bodyMatchesContentRule {
            return reply(Reply(554, EnhancedStatusCode(5, 7, 1), "Message rejected: content matches a spam rule (\(world.contentRuleMarker))"),
                         to: cause, into: &out)
        }
        messageCounter += 1
        let id = queueID(messageCounter)
        let message = composeStoredMessage(id: id)
        if storesMessages {
            for rcpt in recipients {
                if let box = world.mailbox(rcpt), case .forwards = box.behaviour {
                    store.outbound.append(message)
                } else if world.mailbox(rcpt) != nil {
                    store.inboxes[rcpt.lowercased(), default: []].append(message)
                } else {
                    store.outbound.append(message)
                }
            }
        }
        reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok: queued as \(id)"), to: cause, into: &out)
        out.append(.delivered(message))
    }

    private func composeStoredMessage(id: String) -> StoredMessage {
        let from = reversePath ?? ""
        let stamp = SimulatedTime.rfc5322Date(tick: now)
        // RFC 3848 "with" keywords: ESMTP, +S for TLS, +A for an authenticated client.
        let with = extended ? "ESMTP" + (tlsActive ? "S" : "") + (authenticatedUser != nil ? "A" : "") : "SMTP"
        var received = "Received: from "
        received += clientName ?? "unknown"
        received += " (" + world.clientName + " [" + world.clientAddress + "])\n\tby " + world.serverName + " (smtp-tui) with " + with + " id " + id
        if recipients.count == 1 { received += "\n\tfor <" + recipients[0] + ">" }
        received += ";\n\t" + stamp
        var headers = ["Return-Path: <" + from + ">", received]
        // Split the client's header block from the body at the first empty line, if it starts with a header.
        // Split the client's header block from the body at the first empty line, if it starts with a header.
        var clientHeaders: [String] = [], bodyStart = 0, bodyLines = bodyLineCount
        var rawClientHeaders: [[UInt8]] = []  // the same lines as octets, for storage that must not alter them
        let firstEnd = body.firstIndex(of: 0x0A) ?? body.endIndex
        if bodyLineCount > 0, Self.looksLikeHeader(String(decoding: body[..<firstEnd], as: UTF8.self)) {
            var lineStart = 0
            bodyLines = 0
            bodyStart = body.count
            while true {
                let lineEnd = body[lineStart...].firstIndex(of: 0x0A) ?? body.endIndex
                if lineEnd == lineStart {  // the empty separator line
                    bodyStart = min(body.count, lineEnd + 1)
                    bodyLines = bodyLineCount - clientHeaders.count - 1
                    break
                }
                let line = String(decoding: body[lineStart..<lineEnd], as: UTF8.self)
                // A line starting with a space or tab continues the header above it (RFC 5322 §2.2.3 folding).
                if let first = line.utf8.first, first == 0x20 || first == 0x09, !clientHeaders.isEmpty {
                    clientHeaders[clientHeaders.count - 1] += "\n" + line
                    rawClientHeaders[rawClientHeaders.count - 1] += [0x0A] + body[lineStart..<lineEnd]
                } else {
                    clientHeaders.append(line)
                    rawClientHeaders.append(Array(body[lineStart..<lineEnd]))
                }
                if lineEnd == body.endIndex { break }
                lineStart = lineEnd + 1
            }
        }
        headers += clientHeaders
        func has(_ name: String) -> Bool { clientHeaders.contains { $0.lowercased().hasPrefix(name.lowercased() + ":") } }
        // A submission server completes what the client left out (RFC 6409 §8).
        if !has("Message-ID") { headers.append("Message-ID: <\(id).\(now)@\(world.serverName)>") }
        if !has("Date") { headers.append("Date: \(stamp)") }
        if !has("From"), !from.isEmpty { headers.append("From: <\(from)>") }
        let ownFirst = 2, ownAfter = ownFirst + clientHeaders.count
        let headerBytes = headers[..<ownFirst].map { Array($0.utf8) } + rawClientHeaders + headers[ownAfter...].map { Array($0.utf8) }
        return StoredMessage(id: id, envelopeFrom: from, recipients: recipients, headers: headers, headerBytes: headerBytes,
                             bodyText: Array(body[bodyStart...]), bodyIsEmpty: bodyLines == 0,
                             receivedAtTick: now, size: bodySize)
    }

    /// Byte search for the content rule's marker (String.contains is far slower on the hot body path).
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var offset = 0
                let lastStart = hay.count - pin.count
                while offset <= lastStart {
                    guard let hit = memchr(hay.baseAddress! + offset, Int32(first), lastStart - offset + 1) else { return false }
                    let at = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - hay.baseAddress!
                    if memcmp(hay.baseAddress! + at, pin.baseAddress!, pin.count) == 0 { return true }
                    offset = at + 1
                }
                return false
            }
        }
    }

    /// Upper-cases ASCII letters only (verbs are ASCII; full Unicode case mapping is slow and not wanted).
    static func asciiUppercased(_ text: Substring) -> String {
        if !text.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) { return String(text) }
        return String(decoding: text.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// Case-insensitive ASCII prefix test, e.g. "from:" against "FROM:".
    static func hasASCIIPrefix(_ text: Substring, _ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        var i = text.utf8.startIndex
        for b in p {
            guard i < text.utf8.endIndex else { return false }
            let c = text.utf8[i]
            guard c == b || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") && c - 32 == b) else { return false }
            i = text.utf8.index(after: i)
        }
        return true
    }

    /// "Name: value" where the name is printable ASCII without spaces (RFC 5322 §2.2).
    static func looksLikeHeader(_ line: String) -> Bool {
        var sawName = false
        for b in line.utf8 {
            if b == UInt8(ascii: ":") { return sawName }
            guard b > 32 && b < 127 else { return false }
            sawName = true
        }
        return false
    }

    private mutating func help(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "HELP")
        let topic = argument.trimmingCharacters(in: " ").uppercased()
        let ok = EnhancedStatusCode(2, 0, 0)
        switch topic {
        case "":
            reply(Reply(214, ok, [
                "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
                "Try HELP <command> for its syntax, or HELP STATUS for the session status",
                "End of HELP info",
            ]), to: cause, into: &out)
        case "STATUS":
            // 211 is "system status" (RFC 5321 §4.2.3). Few servers send it today; this one reports the session.
            reply(Reply(211, EnhancedStatusCode(2, 0, 0), [
                "\(world.serverName) status",
                "phase \(phase.rawValue), TLS \(tlsActive ? "on" : "off"), authenticated \(authenticatedUser ?? "no")",
                "\(recipients.count) recipient(s) in this transaction, scenario \(world.scenario.name)",
                "End of status",
            ]), to: cause, into: &out)
        default:
            if let syntax = Self.helpSyntax[topic] {
                reply(Reply(214, ok, syntax), to: cause, into: &out)
            } else {
                reply(Reply(504, EnhancedStatusCode(5, 5, 4), "HELP topic not recognised: \(sanitized(topic))"), to: cause, into: &out)
            }
        }
    }

    static let helpSyntax: [String: String] = [
        "EHLO": "EHLO <your-hostname>", "HELO": "HELO <your-hostname>",
        "MAIL": "MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8]",
        "RCPT": "RCPT TO:<forward-path>", "DATA": "DATA, then the message, then a line with only .",
        "RSET": "RSET", "NOOP": "NOOP", "QUIT": "QUIT", "VRFY": "VRFY <address>", "HELP": "HELP [command|STATUS]",
        "STARTTLS": "STARTTLS", "AUTH": "AUTH PLAIN [initial-response] | AUTH LOGIN [username-base64]",
    ]

    private mutating func startTLS(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "STARTTLS")
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard argument.allSatisfy({ $0 == " " }) else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: STARTTLS"), to: cause, into: &out)
        }
        guard tlsAvailable else {
            // RFC 3207 §4: 454 when TLS is temporarily unavailable (no certificate here).
            return reply(Reply(454, EnhancedStatusCode(4, 7, 0), "TLS not available"), to: cause, into: &out)
        }
        guard extended else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send EHLO first (HELO offers no extensions)"), to: cause, into: &out)
        }
        guard !tlsActive else {
            return reply(Reply(554, EnhancedStatusCode(5, 5, 1), "Error: TLS already active"), to: cause, into: &out)
        }
        guard !inTransaction else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: MAIL transaction in progress"), to: cause, into: &out)
        }
        reply(Reply(220, EnhancedStatusCode(2, 0, 0), "Ready to start TLS"), to: cause, into: &out)
        // RFC 3207 §4.2: after the handshake both sides forget everything learned before it.
        tlsActive = true
        resetTransaction()
        phase = .connected
        extended = false
        clientName = nil
        authenticatedUser = nil
        tlsJustStarted = true
        out.append(.tlsStarted)
    }

    private mutating func auth(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "AUTH")
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard profile == .submission else {
            // Postfix's reply on a port-25 server without SASL.
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: authentication not enabled"), to: cause, into: &out)
        }
        guard extended else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send EHLO first (HELO offers no extensions)"), to: cause, into: &out)
        }
        guard tlsActive else {
            // RFC 4954 §6: 538 5.7.11 "Encryption required for requested authentication mechanism".
            return reply(Reply(538, EnhancedStatusCode(5, 7, 11), "Encryption required for requested authentication mechanism"),
                         to: cause, into: &out)
        }
        guard authenticatedUser == nil else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: already authenticated"), to: cause, into: &out)
        }
        guard !inTransaction else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: MAIL transaction in progress"), to: cause, into: &out)
        }
        let words = argument.split(separator: " ")
        guard let mechanism = words.first?.uppercased(), words.count <= 2 else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: AUTH mechanism [initial-response]"), to: cause, into: &out)
        }
        let initial = words.count == 2 ? String(words[1]) : nil
        switch mechanism {
        case "PLAIN":
            authMechanism = "PLAIN"
            if let initial { return finishPlain(initial, cause: cause, into: &out) }
            phase = .auth
            reply(Reply(334, nil, ""), to: cause, into: &out)  // empty challenge: "334 " (RFC 4954 §4)
        case "LOGIN":
            authMechanism = "LOGIN"
            authUsername = nil
            if let initial {
                guard let name = decodeAuthText(initial) else { return cannotDecode(cause, into: &out) }
                authUsername = name
                phase = .auth
                return reply(Reply(334, nil, Base64.encode(Array("Password:".utf8))), to: cause, into: &out)
            }
            phase = .auth
            reply(Reply(334, nil, Base64.encode(Array("Username:".utf8))), to: cause, into: &out)
        default:
            // RFC 4954 §4: 504 for a mechanism the server does not support.
            reply(Reply(504, EnhancedStatusCode(5, 5, 4), "Unrecognized authentication type"), to: cause, into: &out)
        }
    }

    private mutating func handleAuthResponse(_ line: FramedLine, into out: inout [SessionOutput]) {
        let cause = ReplyCause.authResponse
        let text = String(decoding: line.bytes, as: UTF8.self).trimmingCharacters(in: " ")
        phase = .greeted
        if line.overflowed { return cannotDecode(cause, into: &out) }
        if text == "*" {
            // RFC 4954 §4: the client cancels with "*"; the server answers 501.
            return reply(Reply(501, EnhancedStatusCode(5, 7, 0), "Authentication aborted"), to: cause, into: &out)
        }
        if authMechanism == "PLAIN" { return finishPlain(text, cause: cause, into: &out) }
        // LOGIN: username first, then password.
        guard let decoded = decodeAuthText(text) else { return cannotDecode(cause, into: &out) }
        if authUsername == nil {
            authUsername = decoded
            phase = .auth
            return reply(Reply(334, nil, Base64.encode(Array("Password:".utf8))), to: cause, into: &out)
        }
        checkCredentials(user: authUsername ?? "", password: decoded, cause: cause, into: &out)
    }

    private mutating func finishPlain(_ response: String, cause: ReplyCause, into out: inout [SessionOutput]) {
        phase = .greeted
        // "=" is an empty initial response (RFC 4954 §4).
        guard let bytes = response == "=" ? [] : Base64.decode(response) else { return cannotDecode(cause, into: &out) }
        // RFC 4616: [authzid] NUL authcid NUL passwd
        let fields = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return authFailed(cause, into: &out) }
        let authzid = String(decoding: fields[0], as: UTF8.self)
        let user = String(decoding: fields[1], as: UTF8.self)
        guard authzid.isEmpty || authzid == user else { return authFailed(cause, into: &out) }
        checkCredentials(user: user, password: String(decoding: fields[2], as: UTF8.self), cause: cause, into: &out)
    }

    private mutating func checkCredentials(user: String, password: String, cause: ReplyCause, into out: inout [SessionOutput]) {
        phase = .greeted
        guard let account = world.users.first(where: { $0.username.lowercased() == user.lowercased() }),
              account.password == password else { return authFailed(cause, into: &out) }
        authenticatedUser = account.username
        reply(Reply(235, EnhancedStatusCode(2, 7, 0), "Authentication successful"), to: cause, into: &out)
        out.append(.authenticated(user: account.username))
    }

    private mutating func authFailed(_ cause: ReplyCause, into out: inout [SessionOutput]) {
        // RFC 4954 §6 and Postfix's wording; never say whether the user or the password was wrong.
        reply(Reply(535, EnhancedStatusCode(5, 7, 8), "Error: authentication failed: authentication failure"), to: cause, into: &out)
    }

    private mutating func cannotDecode(_ cause: ReplyCause, into out: inout [SessionOutput]) {
        phase = .greeted
        reply(Reply(501, EnhancedStatusCode(5, 5, 2), "Cannot decode response"), to: cause, into: &out)
    }

    private func decodeAuthText(_ text: String) -> String? {
        Base64.decode(text).map { String(decoding: $0, as: UTF8.self) }
    }

    private mutating func needHello(_ cause: ReplyCause, into out: inout [SessionOutput]) {
        reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send HELO/EHLO first"), to: cause, into: &out)
    }

    // MARK: - Helpers

    private mutating func reply(_ reply: Reply, to cause: ReplyCause, into out: inout [SessionOutput]) {
        out.append(.reply(reply, cause: cause))
        if reply.code >= 400 && reply.code != 421 {
            errorsInARow += 1
            if errorsInARow >= world.errorLimit {
                // Postfix hangs up after its hard error limit with exactly this reply.
                close(with: Reply(421, EnhancedStatusCode(4, 7, 0), "\(world.serverName) Error: too many errors"), into: &out)
            }
        } else {
            errorsInARow = 0
        }
    }

    private mutating func close(with reply: Reply, into out: inout [SessionOutput]) {
        out.append(.reply(reply, cause: .serverInitiated))
        phase = .closed
        out.append(.closed)
    }

    private mutating func resetTransaction() {
        reversePath = nil
        recipients.removeAll(keepingCapacity: true)
        rejectedRecipients = 0
        declaredSize = nil
        bodyType = "7BIT"
        smtputf8 = false
        if phase == .mail || phase == .rcpt || phase == .data { phase = .greeted }
    }

    /// Text from the client echoed in a reply: printable ASCII only, bounded, so a reply line stays under 512.
    private func sanitized(_ text: some StringProtocol) -> String {
        if text.utf8.count <= 200 && text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) { return String(text) }
        var out = ""
        for scalar in text.unicodeScalars.prefix(200) {
            out.unicodeScalars.append((0x20...0x7E).contains(scalar.value) ? scalar : "?")
        }
        return out
    }

    /// Ten hex digits, like Postfix's short queue ids, derived from a counter (deterministic, no randomness).
    private func queueID(_ n: Int) -> String {
        var x = idSeed &+ UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        let hex = String(x, radix: 16, uppercase: true)
        return String(String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(10).description
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
