// The server side of one SMTP session (RFC 5321), as a pure state machine: client bytes in, replies and events
// out. It reads no clock (the caller sets `now` in ticks), does no I/O and never traps on input, so the same
// value drives the TUI, `serve --stdio` and the benchmark.
//
// Where real servers disagree, the RFC's side is taken and the choice is named in a comment beside the reply.
//
// This file holds the session's state, the framing loop and the dispatch; each command family has its own file:
//   ServerSession+Greeting.swift  EHLO, HELO, HELP, RSET, NOOP, QUIT, VRFY
//   ServerSession+Envelope.swift  MAIL FROM, RCPT TO
//   ServerSession+Data.swift      DATA, the message body and the stored message
//   ServerSession+Chunking.swift  BDAT (RFC 3030)
//   ServerSession+Auth.swift      AUTH PLAIN / LOGIN
//   ServerSession+StartTLS.swift  STARTTLS

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
public enum ReplyCause: Sendable, Equatable, Codable {
    case greeting
    case command(verb: String)
    case messageEnd
    case authResponse
    case serverInitiated
}

public enum SessionOutput: Sendable, Equatable, Codable {
    case reply(Reply, cause: ReplyCause)
    /// The TLS handshake after "220 2.0.0 Ready to start TLS" (simulated here; the session state was reset).
    case tlsStarted
    case authenticated(user: String)
    indirect case delivered(StoredMessage)
    case closed
}

/// One unit of what a client sent, as `ServerSession.receiveReporting` splits it.
public struct ReceivedPiece: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// A command, AUTH or DATA line without its line end (as far as the engine kept it).
        case line([UInt8])
        /// Octets of a BDAT chunk.
        case chunkData(octets: Int)
    }
    public var content: Content
    public var phaseBefore: SessionPhase
    /// The outputs it drew, as indexes into what `receiveReporting` returned.
    public var outputs: Range<Int>
}

public struct ServerSession: Sendable {
    public internal(set) var world: World
    public let profile: ServerProfile
    /// What the server keeps between sessions; settable so several sessions with one server share one store.
    public var store: MailStore
    /// Keep delivered messages in `store` (the benchmark turns this off to measure the engine alone).
    public var storesMessages = true
    /// Filled only during `receiveReporting`.
    var pieces: [ReceivedPiece]?
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
    var lastLineBare = false
    /// RFC 2920 §3.1 checked as Postfix 3.9 does (Pipelining.swift): input already waiting when the server is about
    /// to answer a command that must end a group, or sent before the greeting, gets 554 5.5.0 and a hang-up. Only
    /// tests that compare chunkings of the same bytes turn it off.
    public var enforcesPipelining = true
    /// The wait the server checks before it reads more: set by the last line when the client must see its reply
    /// first (the greeting, EHLO, DATA, …), nil otherwise. The simulation asks it when a line may arrive too early.
    public internal(set) var checkedWait: PipeliningRule?
    /// Set when the session hung up on early input: what the rule was and what came too early.
    public internal(set) var synchronizationViolation: SynchronizationViolation?
    /// The MX's verdict on every message that reached its end in this session (SPF, DKIM, DMARC; World.trust),
    /// accepted or refused, in order: the simulation draws the checks from it.
    public internal(set) var authentications: [AuthenticationVerdict] = []
    /// Replies given on purpose instead of running a command (DirectedFailure.swift): `serve --fail`, live missions.
    public var directedFailures: [DirectedFailure] = []
    var directedCounts: [String: Int] = [:]

    public internal(set) var phase: SessionPhase = .connected
    public internal(set) var tlsActive = false
    public internal(set) var authenticatedUser: String?
    /// The name the client gave in EHLO/HELO.
    public internal(set) var clientName: String?
    /// True after EHLO (extensions available), false after HELO.
    public internal(set) var extended = false
    public internal(set) var reversePath: String?
    public internal(set) var recipients: [String] = []
    /// Errors since the last delivered message (Postfix counts errors "without delivering mail"; a successful
    /// NOOP or RSET does not reset it). The name is older than that rule and kept for compatibility.
    public internal(set) var errorsInARow = 0
    /// The same count under its accurate name.
    public var errorCount: Int { errorsInARow }
    public internal(set) var greeted = false

    // Transaction details that the UI need not see.
    var declaredSize: Int?
    var bodyType = "7BIT"
    var smtputf8 = false
    var rejectedRecipients = 0
    /// The message as received, dot-unstuffed, lines joined by LF (one buffer: no allocation per line).
    var body: [UInt8] = []
    var bodyLineCount = 0
    var bodySize = 0
    /// The longest text line of the message so far (octets, without CRLF): over 998 is against RFC 5321
    /// §4.5.3.1.6, but accepted, as Postfix does; the simulation says so.
    var bodyLongestLine = 0
    var bodyMatchesContentRule = false
    var bodyOverSize = false
    // DSN (RFC 3461) of the open transaction: MAIL's RET=/ENVID=, and one entry per accepted recipient.
    var dsnReturn: DSNReturn?
    var dsnEnvelopeID: String?
    var dsnRecipients: [DSNRecipient] = []
    var dsnRequested = false
    // CHUNKING (RFC 3030): the chunk being read, whether this transaction has used BDAT, and the refusal every
    // further chunk of a failed BDAT transaction gets until LAST.
    var chunk: PendingChunk?
    var bdatUsed = false
    var bdatFailure: Reply?
    /// The mechanism of the last AUTH exchange (PLAIN or LOGIN), "" before any.
    public internal(set) var authMechanism = ""
    var authUsername: String?
    var framer = LineFramer()
    /// The command being handled was not well-formed UTF-8 (its text then holds U+FFFD where the bad octets were).
    var commandHasMalformedUTF8 = false
    var tlsJustStarted = false
    var messageCounter = 0
    let idSeed: UInt64
    var contentMarker: [UInt8]

    /// Octets in a command line without CRLF (RFC 5321 §4.5.3.1.4: 512 with CRLF).
    public static let commandLineLimit = 510
    /// Octets in a text line without CRLF (RFC 5321 §4.5.3.1.6: 1000 with CRLF). Longer message lines are accepted
    /// all the same, as Postfix accepts them (real clients send them: Python's MIMEText with a long 7bit line,
    /// base64 without line breaks); a message line is bounded only by the message size limit.
    public static let textLineLimit = 998
    /// How much of one message line is read: the message size limit (past it the message is refused anyway).
    var dataLineLimit: Int { world.scenario.maxMessageSize }
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

    /// The 220 greeting (RFC 5321 §4.3.1). Call once, before any input. `clientSpokeFirst` holds what the client
    /// sent before the greeting went out, when the caller saw any: Postfix 3.9 answers that with 554 5.5.0 instead
    /// of the greeting and hangs up (a client that talks first is not waiting for anything: usually a spam bot).
    public mutating func start(clientSpokeFirst early: [UInt8] = []) -> [SessionOutput] {
        greeted = true
        if enforcesPipelining, !early.isEmpty {
            var out: [SessionOutput] = []
            early.withUnsafeBufferPointer { refuseUnsynchronized(.greeting, early: $0, into: &out) }
            return out
        }
        checkedWait = .greeting
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

    /// `receive`, also saying which outputs each line (or run of BDAT chunk octets) drew: for an observer that
    /// shows a real session line by line. The bytes are handled exactly as `receive` handles them, all at once, so
    /// what is answered (the pipelining checks included) cannot depend on being watched.
    public mutating func receiveReporting(_ bytes: UnsafeBufferPointer<UInt8>) -> (outputs: [SessionOutput], pieces: [ReceivedPiece]) {
        pieces = []
        defer { pieces = nil }
        let outputs = receiveBuffer(bytes)
        return (outputs, pieces ?? [])
    }

    @usableFromInline
    mutating func receiveBuffer(_ bytes: UnsafeBufferPointer<UInt8>) -> [SessionOutput] {
        var outputs: [SessionOutput] = []
        outputs.reserveCapacity(8)
        var index = 0
        while index < bytes.count, phase != .closed {
            // What this turn of the loop consumed, for `receiveReporting` (nil: nothing whole, or nobody asked).
            var content: ReceivedPiece.Content?
            let firstOutput = outputs.count, phaseBefore = phase
            defer {
                if let content { pieces?.append(ReceivedPiece(content: content, phaseBefore: phaseBefore, outputs: firstOutput..<outputs.count)) }
            }
            if chunk != nil {
                // Inside a BDAT chunk: exactly the announced octets, whatever they are (RFC 3030 §2).
                let start = index
                checkedWait = nil
                consumeChunk(bytes, at: &index, into: &outputs)
                if pieces != nil { content = .chunkData(octets: index - start) }
                continue
            }
            // The fast paths below read whole lines in place; with the smuggling checks on, every line goes
            // through the framer, which reports how it ended.
            if !forbidsSmuggling, phase == .data, !framer.hasPartialLine, let lf = Self.lineFeed(in: bytes, from: index) {
                // Fast path for message text: a whole line inside this buffer is handled in place, without
                // copying it into a line of its own first. Same result as the framer's path below.
                var end = lf
                if end > index && bytes[end - 1] == 0x0D { end -= 1 }
                let length = end - index
                let kept = Swift.min(length, dataLineLimit + 1)
                if pieces != nil { content = .line(Array(bytes[index..<end])) }
                checkedWait = nil
                handleBody(UnsafeBufferPointer(rebasing: bytes[index..<(index + kept)]), overflowed: length > dataLineLimit,
                           length: length, into: &outputs)
                index = lf + 1
                continue
            }
            if !forbidsSmuggling, phase != .data, phase != .auth, !framer.hasPartialLine, let lf = Self.lineFeed(in: bytes, from: index) {
                // Fast path for a command line that lies whole in this buffer: read in place, no line copy.
                var end = lf
                if end > index && bytes[end - 1] == 0x0D { end -= 1 }
                let length = end - index
                let kept = Swift.min(length, Self.commandLineLimit + 1)
                if pieces != nil { content = .line(Array(bytes[index..<end])) }
                handleCommand(UnsafeBufferPointer(rebasing: bytes[index..<(index + kept)]), overflowed: length > Self.commandLineLimit,
                              pending: UnsafeBufferPointer(rebasing: bytes[(lf + 1)...]), into: &outputs)
                index = lf + 1
                if tlsJustStarted { tlsJustStarted = false; framer.discardBuffered(); break }
                continue
            }
            let limit = phase == .data ? dataLineLimit : phase == .auth ? Self.authLineLimit : Self.commandLineLimit
            guard let line = framer.take(from: bytes, at: &index, limit: limit) else { break }
            if pieces != nil { content = .line(line.bytes) }
            let bareBefore = lastLineBare
            lastLineBare = line.bareLineFeed
            if forbidsSmuggling, phase == .data, line.bareLineFeed || bareBefore, !line.overflowed, line.bytes == [0x2E] {
                // A bare-LF end of data is the smuggling pattern, never a real client's. The words are Postfix's
                // (smtpd_forbid_bare_newline=reject); 521 rather than its 550 because the session ends here
                // (RFC 7504), and the message in progress is dropped, never half-delivered.
                close(with: Reply(521, EnhancedStatusCode(5, 5, 2), "\(world.serverName) Error: bare <LF> received"), into: &outputs)
                break
            }
            handle(line, pending: UnsafeBufferPointer(rebasing: bytes[index...]), into: &outputs)
            // RFC 3207 §4.2: plaintext pipelined behind STARTTLS must be thrown away (the command-injection fix).
            if tlsJustStarted { tlsJustStarted = false; framer.discardBuffered(); break }
        }
        return outputs
    }

    /// The index of the next LF at or after `from`, if the buffer holds one.
    static func lineFeed(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress,
              let hit = memchr(base + from, 0x0A, bytes.count - from) else { return nil }
        return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
    }

    /// A convenience for tests and the TUI: one line, CRLF added.
    public mutating func receiveLine(_ line: String) -> [SessionOutput] {
        receive(Array(line.utf8) + [0x0D, 0x0A])
    }

    /// Octets of a BDAT chunk still to come, or nil when the session is reading commands or DATA lines.
    public var chunkOctetsRemaining: Int? { chunk?.remaining }

    /// The client closed its side. A real server just closes too; an unfinished DATA or BDAT is discarded.
    public mutating func endOfInput() -> [SessionOutput] {
        guard phase != .closed else { return [] }
        chunk = nil
        phase = .closed
        return [.closed]
    }

    // MARK: - Dispatch

    /// One whole line; `pending` is what already arrived behind it (the rest of this read).
    mutating func handle(_ line: FramedLine, pending: UnsafeBufferPointer<UInt8>, into out: inout [SessionOutput]) {
        switch phase {
        case .data: checkedWait = nil; handleBodyLine(line, into: &out)
        case .auth: checkedWait = nil; handleAuthResponse(line, into: &out)
        case .closed: return
        default: line.bytes.withUnsafeBufferPointer { handleCommand($0, overflowed: line.overflowed, pending: pending, into: &out) }
        }
    }

    mutating func handleCommand(_ bytes: UnsafeBufferPointer<UInt8>, overflowed: Bool, pending: UnsafeBufferPointer<UInt8>,
                                into out: inout [SessionOutput]) {
        checkedWait = nil
        if world.scenario.shuttingDown {
            // RFC 5321 §3.8: a server that must shut down answers any command with 421 and closes.
            close(with: Reply(421, EnhancedStatusCode(4, 3, 2),
                              "\(world.serverName) Service shutting down, closing transmission channel"), into: &out)
            return
        }
        if overflowed {
            // RFC 5321 §4.5.3.1.4 allows 500 for an over-long line; the whole line has been consumed first.
            reply(Reply(500, EnhancedStatusCode(5, 5, 2), "Error: line too long (a command line may hold at most 512 octets with CRLF)"),
                  to: .command(verb: ""), into: &out)
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        // Decoding replaced any malformed octets with U+FFFD, so the text's octets differ from those sent (compared
        // only for a line with 8-bit octets; commands are ASCII as a rule).
        commandHasMalformedUTF8 = bytes.contains { $0 >= 0x80 } && !text.utf8.elementsEqual(bytes)
        let u = text.utf8
        var verbStart = u.startIndex
        while verbStart < u.endIndex && u[verbStart] == UInt8(ascii: " ") { verbStart = u.index(after: verbStart) }
        let verbEnd = u[verbStart...].firstIndex { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ":") } ?? u.endIndex
        let verb = Self.asciiUppercased(text[verbStart..<verbEnd])
        var argument = text[verbEnd...]
        if argument.utf8.first == UInt8(ascii: " ") { argument = argument[argument.utf8.index(after: argument.startIndex)...] }
        let cause = ReplyCause.command(verb: verb)
        if enforcesPipelining, Self.checksSynchronization(verb: verb, pipeliningOffered: extended) {
            // Postfix looks for waiting input before it runs such a command, so the command itself is not run.
            let rule = PipeliningRule.after(text, phase: phase, pipeliningOffered: extended) ?? .notOffered(verb: verb)
            if !pending.isEmpty { return refuseUnsynchronized(rule, early: pending, into: &out) }
            checkedWait = rule
        }
        if let failure = directedFailure(for: verb) { return reply(failure, to: cause, into: &out) }

        switch verb {
        case "EHLO", "HELO": hello(verb: verb, argument: argument, into: &out)
        case "MAIL": mail(argument, into: &out)
        case "RCPT": rcpt(argument, into: &out)
        case "DATA": data(argument, into: &out)
        case "BDAT": bdat(argument, into: &out)
        case "RSET": rset(argument, into: &out)
        case "NOOP": noop(into: &out)
        case "QUIT": quit(into: &out)
        case "VRFY": vrfy(argument, into: &out)
        case "HELP": help(argument, into: &out)
        case "STARTTLS": startTLS(argument, into: &out)
        case "AUTH": auth(argument, into: &out)
        case "":
            reply(Reply(500, EnhancedStatusCode(5, 5, 2), "Error: bad syntax"), to: cause, into: &out)
        case _ where Self.notImplementedVerbs.contains(verb):
            // Known SMTP verbs this server does not offer: 502, not 500 (RFC 5321 §4.2.4).
            reply(Reply(502, EnhancedStatusCode(5, 5, 1), "Error: command not implemented"), to: cause, into: &out)
        default:
            reply(Reply(500, EnhancedStatusCode(5, 5, 2), "Error: command not recognized"), to: cause, into: &out)
        }
    }

    /// Real SMTP verbs (RFC 5321 and its ancestors) this server recognises but does not offer: answered 502.
    public static let notImplementedVerbs: Set<String> = ["EXPN", "TURN", "ETRN", "ATRN", "SEND", "SOML", "SAML"]

    mutating func needHello(_ cause: ReplyCause, into out: inout [SessionOutput]) {
        reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send HELO/EHLO first"), to: cause, into: &out)
    }

    // MARK: - Helpers

    /// Sends a reply and keeps Postfix's error count (smtpd(8) "TARPIT CONTROLS"): every 4xx/5xx answer to the
    /// client counts; only a delivered message resets the count. From smtpd_soft_error_limit (10) on, every reply
    /// is delayed by smtpd_error_sleep_time; at smtpd_hard_error_limit (20) the server says 421 4.7.0 and hangs up.
    mutating func reply(_ reply: Reply, to cause: ReplyCause, into out: inout [SessionOutput]) {
        out.append(.reply(delayed(reply), cause: cause))
        if reply.code >= 400 && reply.code != 421 {
            errorsInARow += 1
            if errorsInARow >= world.errorLimit {
                // Postfix checks the hard limit before reading the next command and hangs up with exactly this.
                close(with: Reply(421, EnhancedStatusCode(4, 7, 0), "\(world.serverName) Error: too many errors"), into: &out)
            }
        }
    }

    /// Postfix sleeps before any reply once the count has reached the soft limit (smtpd_chat.c).
    func delayed(_ reply: Reply) -> Reply {
        guard errorsInARow >= world.softErrorLimit else { return reply }
        var slowed = reply
        slowed.delayTicks = world.errorDelayTicks
        return slowed
    }

    /// A message was delivered: Postfix forgives every earlier error of the session.
    mutating func forgiveErrors() { errorsInARow = 0 }

    mutating func close(with reply: Reply, into out: inout [SessionOutput]) {
        out.append(.reply(delayed(reply), cause: .serverInitiated))
        phase = .closed
        out.append(.closed)
    }

    mutating func resetTransaction() {
        reversePath = nil
        if !recipients.isEmpty { recipients = [] }  // the stored message may share the old buffer: don't copy it
        rejectedRecipients = 0
        declaredSize = nil
        bodyType = "7BIT"
        smtputf8 = false
        dsnReturn = nil; dsnEnvelopeID = nil; dsnRequested = false
        if !dsnRecipients.isEmpty { dsnRecipients.removeAll(keepingCapacity: true) }
        bdatUsed = false; bdatFailure = nil
        if phase == .mail || phase == .rcpt || phase == .data { phase = .greeted }
    }

    /// Text from the client echoed in a reply, bounded to 200 octets so a reply line stays under 512. Control
    /// characters become "?"; so does non-ASCII text, except in an SMTPUTF8 transaction (RFC 6531 §3.7.4.1 lets
    /// the server use UTF-8 in replies there), where jürgen@… is echoed as jürgen@…, not j?rgen@….
    func sanitized(_ text: some StringProtocol, utf8: Bool? = nil) -> String {
        if text.utf8.count <= 200 && text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) { return String(text) }
        let allowUTF8 = utf8 ?? smtputf8
        var out = ""
        var octets = 0
        for scalar in text.unicodeScalars {
            let keep = (0x20...0x7E).contains(scalar.value) || (allowUTF8 && scalar.value >= 0xA0)
            let piece: Unicode.Scalar = keep ? scalar : "?"
            octets += UTF8.width(piece)
            if octets > 200 { break }
            out.unicodeScalars.append(piece)
        }
        return out
    }

    /// Ten hex digits, like Postfix's short queue ids, derived from a counter (deterministic, no randomness).
    func queueID(_ n: Int) -> String {
        var x = idSeed &+ UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        // The first 10 of the 16 zero-padded hex digits, i.e. the top 40 bits; built in place (a small string).
        let top = x >> 24
        return String(unsafeUninitializedCapacity: 10) { buffer in
            let hex: StaticString = "0123456789ABCDEF"
            for i in 0..<10 { buffer[i] = hex.utf8Start[Int((top >> UInt64(36 - 4 * i)) & 0xF)] }
            return 10
        }
    }

    /// Upper-cases ASCII letters only (verbs are ASCII; full Unicode case mapping is slow and not wanted).
    static func asciiUppercased(_ text: Substring) -> String {
        if !text.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) { return String(text) }
        return String(decoding: text.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// Equality ignoring ASCII case, without building lower-cased copies (the hot path compares addresses).
    static func equalsIgnoringASCIICase(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        let (x, y) = (a.utf8, b.utf8)
        guard x.count == y.count else { return false }
        var i = x.startIndex, j = y.startIndex
        while i < x.endIndex {
            let (c, d) = (x[i], y[j])
            if c != d {
                guard c | 0x20 == d | 0x20, (0x61...0x7A).contains(c | 0x20) else {
                    return c >= 0x80 || d >= 0x80 ? a.lowercased() == b.lowercased() : false
                }
            }
            i = x.index(after: i); j = y.index(after: j)
        }
        return true
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
