// Where the engine answers as Postfix does (its defaults, Postfix 3.x), each rule with the RFC section or the
// Postfix parameter it follows. Replies are compared on the wire, so the wording is pinned too.
import Testing
@testable import SMTPCore

/// An mx session after EHLO with an open transaction from a@example.org (no TLS, no AUTH on port 25).
private func mxTransaction(_ mail: String = "MAIL FROM:<a@example.org>") throws -> Harness {
    var h = try Harness(profile: .mx, preamble: .greeted)
    h.send(mail)
    return h
}

@Suite("Postfix's envelope tolerances (strict_rfc821_envelopes = no)")
struct EnvelopeToleranceTests {
    @Test("strict_rfc821_envelopes = no: extra spaces around FROM: and TO: are accepted")
    func extraSpacesAreAccepted() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.send("MAIL FROM:   <a@example.org>")) == ["250 2.1.0 Ok"])
        #expect(wire(h.send("RCPT  TO:  <bob@domain.com>")) == ["250 2.1.5 Ok"])
        var twice = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(twice.send("MAIL  FROM:<a@example.org>")) == ["250 2.1.0 Ok"])
    }

    @Test("append_at_myorigin: <bob> on the mx profile is bob@domain.com, and is delivered to Bob")
    func unqualifiedRecipientGetsTheMxOrigin() throws {
        var h = try mxTransaction()
        #expect(wire(h.send("RCPT TO:<bob>")) == ["250 2.1.5 Ok"])
        #expect(h.session.recipients == ["bob@domain.com"])
        #expect(wire(h.send("RCPT TO:<nobody>")) ==
                ["550 5.1.1 <nobody@domain.com>: Recipient address rejected: User unknown in virtual mailbox table"])
        h.send("DATA"); h.send("Subject: x"); h.send(""); h.send("hi")
        #expect(h.send(".").first?.code == 250)
        try #require(h.session.store.inbox("bob@domain.com").count == 1)
    }

    @Test("append_at_myorigin: <alice> on submission is alice@example.com ($mydomain), which Alice owns")
    func unqualifiedSenderGetsTheSubmissionOrigin() throws {
        var h = try Harness(preamble: .authenticated)
        #expect(wire(h.send("MAIL FROM:<alice>")) == ["250 2.1.0 Ok"])
        #expect(h.session.reversePath == "alice@example.com")
        #expect(World.standard.originDomain(for: .submission) == "example.com")
        #expect(World.standard.originDomain(for: .mx) == "domain.com")
    }

    @Test("RFC 5321 §4.5.3.1: a local part over 64 octets is accepted (servers should accept longer objects)")
    func longLocalPartIsAccepted() throws {
        let long = String(repeating: "x", count: 65)
        var h = try mxTransaction("MAIL FROM:<\(long)@example.org>")
        #expect(h.session.phase == .mail)
        // Syntax is fine, so the answer is about the mailbox (unknown), not about the address's form.
        #expect(wire(h.send("RCPT TO:<\(long)@domain.com>")).first?.hasPrefix("550 5.1.1") == true)
    }

    @Test("RFC 5321 §4.1.2: \"bob\"@domain.com needs no quotes and is the same mailbox as bob@domain.com")
    func needlesslyQuotedLocalPartIsTheSameMailbox() throws {
        var h = try mxTransaction()
        #expect(wire(h.send("RCPT TO:<\"bob\"@domain.com>")) == ["250 2.1.5 Ok"])
        #expect(h.session.recipients == ["bob@domain.com"])
        // A local part that really needs its quotes keeps them: a valid address, but nobody's mailbox.
        #expect(wire(h.send("RCPT TO:<\"bob smith\"@domain.com>")).first?.hasPrefix("550 5.1.1 <\"bob smith\"@domain.com>") == true)
        h.send("DATA"); h.send("hi")
        #expect(h.send(".").first?.code == 250)
        try #require(h.session.store.inbox("bob@domain.com").count == 1)
    }
}

@Suite("Syntax errors get the codes real servers give")
struct EnvelopeSyntaxTests {
    @Test("Junk after the closing bracket is 501 5.1.7 / 501 5.1.3 (Postfix's words), never 555")
    func junkAfterTheClosingBracket() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.send("MAIL FROM:<a@b.example>>")) == ["501 5.1.7 Bad sender address syntax"])
        h.send("MAIL FROM:<a@b.example>")
        #expect(wire(h.send("RCPT TO:<bob@domain.com>x")) == ["501 5.1.3 Bad recipient address syntax"])
        // A real parameter after a space is still judged as a parameter (RFC 5321 §4.1.1.11: 555).
        #expect(h.send("RCPT TO:<bob@domain.com> FOO=1").first?.code == 555)
    }

    @Test("RFC 5321 §4.5.5: the null path is only for senders; RCPT TO:<> is 501 5.1.3")
    func nullRecipientIsASyntaxError() throws {
        var h = try mxTransaction()
        #expect(wire(h.send("RCPT TO:<>")) == ["501 5.1.3 Bad recipient address syntax"])
    }

    @Test("RFC 5321 §4.1.3: a domain literal must be an IPv4 or IPv6 address literal (553 5.1.3, not a relay refusal)")
    func domainLiteralMustBeAnAddressLiteral() throws {
        var h = try mxTransaction()
        #expect(wire(h.send("RCPT TO:<bob@[domain.com]>")) ==
                ["553 5.1.3 <bob@[domain.com]>: Recipient address rejected: a domain literal that is not an IPv4 or IPv6 address literal"])
        #expect(h.send("RCPT TO:<bob@[256.1.1.1]>").first?.code == 553)
        // Well-formed literals are real addresses: not ours, so relaying is what gets refused.
        #expect(wire(h.send("RCPT TO:<bob@[192.0.2.1]>")) == ["554 5.7.1 <bob@[192.0.2.1]>: Relay access denied"])
        #expect(h.send("RCPT TO:<bob@[IPv6:2001:db8::1]>").first?.code == 554)
        var m = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(m.send("MAIL FROM:<a@[IPv6:zz]>")).first?.hasPrefix("553 5.1.7") == true)
    }
}

@Suite("STARTTLS first, HELP and VRFY as Postfix")
struct CommandFidelityTests {
    @Test("RFC 3207 §4: STARTTLS may be the very first command (Postfix and aiosmtpd allow it)")
    func startTLSAsTheFirstCommand() throws {
        var h = try Harness(profile: .mx)
        let outputs = h.session.receiveLine("STARTTLS")
        #expect(wire(replies(outputs)) == ["220 2.0.0 Ready to start TLS"])
        #expect(outputs.contains(.tlsStarted) && h.session.tlsActive)
        #expect(h.send("EHLO client.example.com").first?.code == 250)
        var helo = try Harness(profile: .mx)
        helo.send("HELO client.example.com")
        #expect(helo.send("STARTTLS").first?.code == 503)
    }

    @Test("HELP lists only what is offered: no AUTH on the mx profile (RFC 5321 §4.1.1.8)")
    func helpOnMxDoesNotListAuth() throws {
        var mx = try Harness(profile: .mx, preamble: .greeted)
        let help = try #require(mx.send("HELP").first)
        #expect(!help.lines[0].contains("AUTH"))
        #expect(mx.send("HELP AUTH").first?.code == 504)
        var sub = try Harness(preamble: .greeted)
        #expect(sub.send("HELP").first?.lines[0].hasSuffix(" AUTH") == true)
    }

    @Test("disable_vrfy_command = no: VRFY on mx answers 252 2.0.0 <as given> for a mailbox, 550 5.1.1 for nobody")
    func vrfyOnMxAnswersAsPostfix() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.send("VRFY bob@domain.com")) == ["252 2.0.0 bob@domain.com"])
        #expect(wire(h.send("VRFY <bob@domain.com>")) == ["252 2.0.0 <bob@domain.com>"])
        #expect(wire(h.send("VRFY bob")) == ["252 2.0.0 bob"])
        #expect(wire(h.send("VRFY nobody@domain.com")) ==
                ["550 5.1.1 <nobody@domain.com>: Recipient address rejected: User unknown in virtual mailbox table"])
        #expect(wire(h.send("VRFY someone@elsewhere.org")) == ["554 5.7.1 <someone@elsewhere.org>: Relay access denied"])
        #expect(wire(h.send("VRFY <>")) == ["501 5.1.3 Bad recipient address syntax"])
        // Postfix lists VRFY in EHLO when it is enabled.
        #expect(wire(h.send("EHLO client.example.com")).contains("250-VRFY"))
        // The submission server stays careful: 252 without saying anything.
        var sub = try Harness(preamble: .greeted)
        #expect(wire(sub.send("VRFY nobody@domain.com")) == ["252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery"])
    }
}

@Suite("Postfix's error limits (smtpd_soft_error_limit, smtpd_hard_error_limit)")
struct ErrorLimitTests {
    @Test("smtpd_soft_error_limit = 10, smtpd_error_sleep_time = 1s: from the 10th error on, every reply waits 60 ticks")
    func softLimitSlowsEveryReply() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        var delays: [Int] = []
        for _ in 0..<11 { delays += h.send("BOGUS").map(\.delayTicks) }
        #expect(delays == Array(repeating: 0, count: 10) + [60])
        // Not only errors: once past the soft limit, a 250 is slowed down too, and it forgives nothing.
        let noop = h.send("NOOP")
        #expect(noop.map(\.code) == [250] && noop.map(\.delayTicks) == [60])
        #expect(h.session.errorCount == 11)
    }

    @Test("smtpd_hard_error_limit = 20: the 20th error without a delivery ends with 421 4.7.0 … Error: too many errors")
    func hardLimitHangsUp() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        var codes: [Int] = []
        for _ in 0..<20 { codes += h.send("BOGUS").map(\.code) }
        #expect(codes.count == 21 && codes.suffix(2) == [500, 421])
        #expect(wire(replies(h.session.receiveLine("NOOP"))).isEmpty)
        #expect(h.session.isClosed)
        var w = try Harness(profile: .mx, preamble: .greeted)
        for _ in 0..<19 { w.send("BOGUS") }
        #expect(wire(w.send("BOGUS")).last == "421 4.7.0 smtp.example.com Error: too many errors")
    }

    @Test("Postfix forgives earlier errors when a message is delivered; a successful NOOP does not")
    func deliveryForgivesErrors() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        for _ in 0..<15 { h.send("BOGUS") }
        h.send("NOOP")
        #expect(h.session.errorCount == 15)
        h.send("MAIL FROM:<a@example.org>"); h.send("RCPT TO:<bob@domain.com>"); h.send("DATA"); h.send("hi")
        #expect(h.send(".").first?.code == 250)
        #expect(h.session.errorCount == 0)
        for _ in 0..<15 { h.send("BOGUS") }
        #expect(!h.session.isClosed)
    }

    @Test("The numbers are documented in `smtp-tui world` and in the 421 explanation")
    func limitsAreDocumented() throws {
        let map = WorldMap.render(MailNetwork.standard)  // what `smtp-tui world` prints
        #expect(map.contains("smtpd_hard_error_limit") && map.contains("smtpd_soft_error_limit"))
        // The numbers the texts give are the ones the simulated server uses.
        let world = World.standard
        let entry = try #require(StatusCatalogue.entry(421))
        #expect(entry.whenSimulated.contains("the \(world.errorLimit)th error without a delivery (421 4.7.0"), "\(entry.whenSimulated)")
        #expect(entry.whenSimulated.contains("from the \(world.softErrorLimit)th, replies come \(world.errorDelayTicks / SimulatedTime.ticksPerSecond) s late"), "\(entry.whenSimulated)")
        #expect(entry.description.contains("smtpd_soft_error_limit (\(world.softErrorLimit))") && entry.description.contains("smtpd_hard_error_limit (\(world.errorLimit))"), "\(entry.description)")
        #expect(map.contains("\(world.softErrorLimit) errors without a delivered message") && map.contains("\(world.errorLimit) errors without a delivered message"))
    }
}

@Suite("Trace headers and UTF-8 (RFC 3848, RFC 6531, RFC 6409 §8)")
struct MessageFidelityTests {
    static func deliver(_ h: inout Harness, from: String = "MAIL FROM:<a@example.org>", body: [String] = ["Subject: x", "", "hi"]) -> StoredMessage? {
        h.send(from); h.send("RCPT TO:<bob@domain.com>"); h.send("DATA")
        for line in body { h.send(line) }
        let outputs = h.session.receiveLine(".")
        for case .delivered(let message) in outputs { return message }
        return nil
    }

    static func with(_ message: StoredMessage?) -> String? {
        guard let received = message?.headers.first(where: { $0.hasPrefix("Received:") }),
              let range = received.range(of: " with ") else { return nil }
        return String(received[range.upperBound...].prefix { $0 != " " })
    }

    @Test("RFC 3848: with SMTP / ESMTP / ESMTPS / ESMTPSA; RFC 6531 §3.7.3: UTF8SMTP, UTF8SMTPS")
    func receivedUsesTheRegisteredWithKeywords() throws {
        var helo = try Harness(profile: .mx); helo.send("HELO client.example.com")
        #expect(Self.with(Self.deliver(&helo)) == "SMTP")
        var plain = try Harness(profile: .mx, preamble: .greeted)
        #expect(Self.with(Self.deliver(&plain)) == "ESMTP")
        var tls = try Harness(profile: .mx, preamble: .secured)
        #expect(Self.with(Self.deliver(&tls)) == "ESMTPS")
        var utf8 = try Harness(profile: .mx, preamble: .secured)
        #expect(Self.with(Self.deliver(&utf8, from: "MAIL FROM:<a@example.org> SMTPUTF8")) == "UTF8SMTPS")
        var auth = try Harness(preamble: .authenticated)
        #expect(Self.with(Self.deliver(&auth, from: "MAIL FROM:<alice@example.com>")) == "ESMTPSA")
    }

    @Test("Postfix ≥ 2.6 on port 25 adds no Message-ID:/Date:/From: to remote mail; submission does (RFC 6409 §8)")
    func onlySubmissionCompletesHeaders() throws {
        var mx = try Harness(profile: .mx, preamble: .greeted)
        let received = try #require(Self.deliver(&mx))
        #expect(received.header("Message-ID") == nil && received.header("Date") == nil && received.header("From") == nil)
        var sub = try Harness(preamble: .authenticated)
        let submitted = try #require(Self.deliver(&sub, from: "MAIL FROM:<alice@example.com>"))
        #expect(submitted.header("Message-ID") != nil && submitted.header("Date") != nil)
        #expect(submitted.header("From") == "<alice@example.com>")
    }

    @Test("RFC 6531 §3.7.4.1: in an SMTPUTF8 transaction non-ASCII addresses are echoed as UTF-8, not '?'")
    func utf8IsEchoedInSMTPUTF8Sessions() throws {
        var h = try mxTransaction("MAIL FROM:<a@example.org> SMTPUTF8")
        #expect(wire(h.send("RCPT TO:<jürgen@domain.com>")) ==
                ["550 5.1.1 <jürgen@domain.com>: Recipient address rejected: User unknown in virtual mailbox table"])
        #expect(wire(h.send("RCPT TO:<jürgen@elsewhere.org>")) == ["554 5.7.1 <jürgen@elsewhere.org>: Relay access denied"])
        // MAIL's own SMTPUTF8 counts for its reply.
        var mail = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(mail.send("MAIL FROM:<jür gen@example.org> SMTPUTF8")).first?.hasPrefix("553 5.1.7 <jür gen@example.org>:") == true)
        // Without SMTPUTF8 the server stays in ASCII.
        var ascii = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(ascii.send("HELP jürgen")) == ["504 5.5.4 HELP topic not recognised: J?RGEN"])
        #expect(wire(ascii.send("MAIL FROM:<jür gen@example.org>")).first?.hasPrefix("553 5.1.7 <j?r gen@example.org>:") == true)
    }
}
