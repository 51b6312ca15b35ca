// Nothing a client sends becomes header structure: EHLO/HELO names with control characters are refused, addresses
// that are not well-formed UTF-8 under SMTPUTF8 are refused rather than repaired, AUTH identities never reach a
// header, and what the server writes into Received:/Return-Path: stays one printable field per line.
import Testing
@testable import SMTPCore

/// The header block of a stored message's octets, split at CRLF; nil when it has a CR or LF outside a CRLF.
private func headerLines(_ bytes: [UInt8]) -> [[UInt8]]? {
    var lines: [[UInt8]] = []
    var line: [UInt8] = []
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b == 0x0D {
            guard i + 1 < bytes.count, bytes[i + 1] == 0x0A else { return nil }
            if line.isEmpty { return lines }
            lines.append(line); line = []
            i += 2
            continue
        }
        if b == 0x0A { return nil }
        line.append(b)
        i += 1
    }
    return lines
}

/// The names of the header fields a parser would see: a line that does not start with a space or a tab starts a
/// field, named up to its colon.
private func fieldNames(_ lines: [[UInt8]]) -> [String] {
    lines.compactMap { line in
        guard let first = line.first, first != 0x20, first != 0x09 else { return nil }
        return String(decoding: line.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self)
    }
}

/// An mx session as `serve` runs it (real clients' defences on), greeted with `hello` when given.
private func mxSession(_ hello: String? = nil) throws -> ServerSession {
    var session = ServerSession(world: .serving(.mx), profile: .mx)
    session.forbidsSmuggling = true
    _ = session.start()
    if let hello {
        let r = replies(session.receiveLine(hello))
        try #require(r.first?.code == 250, "\(hello): \(r)")
    }
    return session
}

/// Sends an ordinary message for bob@domain.com and returns the stored copy.
private func deliver(_ session: inout ServerSession) throws -> StoredMessage {
    for line in ["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "DATA"] {
        let r = replies(session.receiveLine(line))
        try #require(r.first.map { $0.code < 400 } == true, "\(line): \(r)")
    }
    let outputs = session.receive(Array("Subject: hello\r\n\r\nbody\r\n.\r\n".utf8))
    let stored = outputs.compactMap { if case .delivered(let m) = $0 { return m }; return nil }
    return try #require(stored.first, "not delivered: \(outputs)")
}

@Suite("Header-safe input")
struct HeaderSafetyTests {
    /// Every C0 control character and DEL, except LF, which always ends the line it is in (tested below).
    static let controlBytes: [UInt8] = Array(0x00...0x1F).filter { $0 != 0x0A } + [0x7F]

    @Test(arguments: controlBytes)
    func aControlCharacterInTheEHLOOrHELONameIsRefusedAndNeverStored(byte: UInt8) throws {
        for verb in ["EHLO", "HELO"] {
            var session = try mxSession()
            let line = Array("\(verb) x.example".utf8) + [byte] + Array("Injected-Header: yes\r\n".utf8)
            let refused = replies(session.receive(line))
            #expect(refused.map(\.code) == [501], "\(verb) with 0x\(String(byte, radix: 16)): \(refused)")
            #expect(refused.first?.enhanced == EnhancedStatusCode(5, 5, 2))
            #expect(session.clientName == nil && session.phase == .connected, "the refused name was kept")
            // The session goes on: a clean name is taken, and only it reaches the stored message.
            #expect(replies(session.receiveLine("\(verb) x.example")).first?.code == 250)
            let message = try deliver(&session)
            let lines = try #require(headerLines(message.messageBytes), "a bare CR or LF in the header block")
            #expect(!fieldNames(lines).contains("Injected-Header"))
            for header in lines {
                #expect(header.allSatisfy { $0 == 0x09 || (0x20...0x7E).contains($0) }, "\(String(decoding: header, as: UTF8.self).debugDescription)")
            }
            #expect(message.headers.contains { $0.hasPrefix("Received: from x.example (") })
        }
    }

    @Test func aCarriageReturnJustBeforeTheLineEndIsRefusedToo() throws {
        var session = try mxSession()
        #expect(replies(session.receive(Array("EHLO x.example\r\r\n".utf8))).map(\.code) == [501])
    }

    @Test func aLineFeedEndsTheEHLOLineSoWhatFollowsIsACommandOfItsOwn() throws {
        // In one read, what follows EHLO is input sent too early (RFC 2920 §3.1): 554 5.5.0, nothing stored.
        var strict = try mxSession()
        #expect(replies(strict.receive(Array("EHLO x.example\nInjected-Header: yes\r\n".utf8))).map(\.code) == [554])
        #expect(strict.isClosed)
        // Read on regardless (the pipelining check off), the bare LF still ends the EHLO line, and the rest is a
        // command of its own, never part of the name that reaches Received:.
        var session = try mxSession()
        session.enforcesPipelining = false
        let r = replies(session.receive(Array("EHLO x.example\nInjected-Header: yes\r\n".utf8)))
        #expect(r.map(\.code) == [250, 500], "\(r)")
        #expect(session.clientName == "x.example")
        let message = try deliver(&session)
        let lines = try #require(headerLines(message.messageBytes))
        #expect(!fieldNames(lines).contains("Injected-Header"))
    }

    @Test func ordinaryNamesAndAddressLiteralsAreStillTaken() throws {
        for name in ["client.example.com", "[192.0.2.1]", "[IPv6:2001:db8::1]", "localhost"] {
            var session = try mxSession()
            #expect(replies(session.receiveLine("EHLO \(name)")).first?.code == 250, "\(name)")
        }
    }

    // MARK: - UTF-8 under SMTPUTF8

    @Test func aSenderThatIsNotUTF8UnderSMTPUTF8IsRefused() throws {
        var session = try mxSession("EHLO client.test")
        let line = Array("MAIL FROM:<j".utf8) + [0xFC] + Array("rgen@example.com> SMTPUTF8\r\n".utf8)
        let r = replies(session.receive(line))
        #expect(r.first?.code == 553 && r.first?.enhanced == EnhancedStatusCode(5, 1, 7), "\(r)")
        #expect(r.first?.lines.first?.hasSuffix("Sender address rejected: malformed UTF-8 (RFC 6531 §3.3 takes only well-formed UTF-8)") == true)
        #expect(session.reversePath == nil)
    }

    @Test func recipientsThatAreNotUTF8UnderSMTPUTF8AreRefusedAndCannotShareAFolder() throws {
        var session = try mxSession("EHLO client.test")
        #expect(replies(session.receiveLine("MAIL FROM:<alice@example.com> SMTPUTF8")).first?.code == 250)
        // Two different addresses whose bad octets a lossy decoding would both turn into U+FFFD.
        for bad: [UInt8] in [[0xFF], [0xC3, 0x28], [0xE2, 0x82]] {
            let r = replies(session.receive(Array("RCPT TO:<bob".utf8) + bad + Array("@domain.com>\r\n".utf8)))
            #expect(r.first?.code == 553 && r.first?.enhanced == EnhancedStatusCode(5, 1, 3), "\(bad): \(r)")
        }
        #expect(session.recipients.isEmpty)
    }

    @Test func wellFormedUTF8IsTakenEvenWithAReplacementCharacterInIt() throws {
        var session = try mxSession("EHLO client.test")
        // U+FFFD sent as its own well-formed octets is a character like any other, not a decoding accident.
        #expect(replies(session.receiveLine("MAIL FROM:<j\u{FFFD}rgen@example.com> SMTPUTF8")).first?.code == 250)
        #expect(session.reversePath == "j\u{FFFD}rgen@example.com")
        var other = try mxSession("EHLO client.test")
        #expect(replies(other.receiveLine("MAIL FROM:<jürgen@example.com> SMTPUTF8")).first?.code == 250)
    }

    @Test func withoutSMTPUTF8AnyNonASCIIAddressIsRefusedAsBefore() throws {
        var session = try mxSession("EHLO client.test")
        let r = replies(session.receive(Array("MAIL FROM:<j".utf8) + [0xFC] + Array("rgen@example.com>\r\n".utf8)))
        #expect(r.first?.code == 553 && r.first?.enhanced == EnhancedStatusCode(5, 6, 7), "\(r)")
    }

    // MARK: - Other client text that could reach a header

    @Test func anORCPTWithAnEncodedLineBreakIsRefused() throws {
        var session = try mxSession("EHLO client.test")
        #expect(replies(session.receiveLine("MAIL FROM:<alice@example.com>")).first?.code == 250)
        let r = replies(session.receiveLine("RCPT TO:<bob@domain.com> ORCPT=rfc822;bob+0D+0AX-Injected:+20yes@domain.com"))
        #expect(r.first?.code == 501 && r.first?.enhanced == EnhancedStatusCode(5, 5, 4), "\(r)")
        #expect(replies(session.receiveLine("RCPT TO:<bob@domain.com> ORCPT=rfc822;bob@domain.com")).first?.code == 250)
    }

    @Test func theAuthenticatedIdentityIsTheAccountsOwnNeverTheClientsText() throws {
        var h = try Harness(profile: .submission, preamble: .secured)
        // A login name carrying a line break cannot match an account: refused, nothing kept.
        let injected = Base64.encode(Array("\u{0}alice@example.com\r\nX-Injected: yes\u{0}wonderland".utf8))
        #expect(h.send("AUTH PLAIN \(injected)").first?.code == 535)
        #expect(h.session.authenticatedUser == nil)
        // The same account in other letter case: the session keeps the account's name, not what was typed.
        let shouted = Base64.encode(Array("\u{0}ALICE@EXAMPLE.COM\u{0}wonderland".utf8))
        #expect(h.send("AUTH PLAIN \(shouted)").first?.code == 235)
        #expect(h.session.authenticatedUser == "alice@example.com")
    }

    // MARK: - The server's own names

    @Test func unqualifiedPostmasterIsThisServersOwn() throws {
        var submission = try Harness(profile: .submission, preamble: .mailStarted)
        #expect(submission.send("RCPT TO:<postmaster>").first?.code == 250)
        #expect(submission.session.recipients == ["postmaster@example.com"], "smtp.example.com's postmaster")
        var mx = try mxSession("EHLO client.test")
        #expect(replies(mx.receiveLine("MAIL FROM:<alice@example.com>")).first?.code == 250)
        #expect(replies(mx.receiveLine("RCPT TO:<Postmaster>")).first?.code == 250)
        #expect(mx.recipients == ["postmaster@domain.com"], "mx.domain.com's postmaster")
    }

    @Test func theMXProfileIsMxDomainComInItsGreetingAndItsReceivedLines() throws {
        var session = ServerSession(world: .serving(.mx), profile: .mx)
        let greeting = replies(session.start())
        #expect(greeting.first?.lines.first?.hasPrefix("mx.domain.com ESMTP") == true, "\(greeting)")
        #expect(replies(session.receiveLine("EHLO client.test")).first?.lines.first == "mx.domain.com Hello client.test")
        let message = try deliver(&session)
        #expect(message.headers.contains { $0.contains("\n\tby mx.domain.com (smtp-tui)") }, "\(message.headers)")
        #expect(World.serving(.submission).serverName == "smtp.example.com")
    }
}
