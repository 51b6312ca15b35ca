import Testing
import Foundation
@testable import SMTPCore

@Suite("Reply format (RFC 5321 §4.2)", .timeLimit(.minutes(2)))
struct ReplyFormatTests {
    @Test func singleLineCarriesEnhancedCode() throws {
        #expect(Reply(250, EnhancedStatusCode(2, 1, 0), "Ok").wire == "250 2.1.0 Ok\r\n")
    }
    @Test func multiLineUsesHyphenOnAllButLast() throws {
        let r = Reply(250, nil, ["smtp.example.com", "PIPELINING", "SMTPUTF8"])
        #expect(r.wireLines == ["250-smtp.example.com", "250-PIPELINING", "250 SMTPUTF8"])
    }
    @Test func emptyChallengeIsCodeAndSpace() throws {
        #expect(Reply(334, nil, "").wire == "334 \r\n")
    }
    @Test func enhancedCodeParsing() throws {
        #expect(EnhancedStatusCode(parsing: "5.1.1") == EnhancedStatusCode(5, 1, 1))
        #expect(EnhancedStatusCode(parsing: "3.1.1") == nil)
        #expect(EnhancedStatusCode(parsing: "5.1") == nil)
    }
}

@Suite("Greeting, EHLO and HELO", .timeLimit(.minutes(2)))
struct HelloTests {
    @Test func greetingIs220WithServerName() throws {
        let h = try Harness()
        #expect(wire(replies(h.greeting)) == ["220 smtp.example.com ESMTP smtp-tui (simulated mail server)"])
    }

    @Test func ehloBeforeTLSListsStartTLSButNotAuth() throws {
        var h = try Harness()
        let lines = wire(h.send("EHLO client.example.com"))
        #expect(lines == ["250-smtp.example.com Hello client.example.com", "250-PIPELINING", "250-SIZE 10240000",
                          "250-STARTTLS", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8",
                          "250 CHUNKING"])
        #expect(h.session.phase == .greeted && h.session.extended)
    }

    @Test func ehloAfterTLSListsAuthButNotStartTLS() throws {
        var h = try Harness(preamble: .greeted)
        #expect(h.send("STARTTLS").map(\.code) == [220])
        let lines = wire(h.send("EHLO client.example.com"))
        #expect(lines.contains("250-AUTH PLAIN LOGIN"))
        #expect(!lines.contains("250-STARTTLS"))
    }

    @Test func heloIsPlainWithoutExtensions() throws {
        var h = try Harness()
        #expect(wire(h.send("HELO client.example.com")) == ["250 smtp.example.com"])
        #expect(!h.session.extended)
        // Extensions such as SIZE= are not available after HELO.
        var tls = try Harness(profile: .mx)
        tls.send("HELO x")
        #expect(tls.send("MAIL FROM:<a@example.com> SIZE=10").map(\.code) == [555])
    }

    @Test func verbsAreCaseInsensitive() throws {
        var h = try Harness()
        #expect(h.send("eHlO client.example.com").first?.code == 250)
        #expect(h.send("nOoP").first?.code == 250)
    }

    @Test func helloWithoutNameIs501() throws {
        var h = try Harness()
        #expect(wire(h.send("EHLO")) == ["501 5.5.4 Syntax: EHLO hostname"])
    }
}

@Suite("A whole submission transaction", .timeLimit(.minutes(2)))
struct TransactionTests {
    @Test func deliversToBobWithServerHeaders() throws {
        var h = try Harness(preamble: .authenticated)
        #expect(h.session.authenticatedUser == "alice@example.com")
        h.session.now = 3 * 60
        #expect(wire(h.send("MAIL FROM:<alice@example.com>")) == ["250 2.1.0 Ok"])
        #expect(h.session.phase == .mail)
        #expect(wire(h.send("RCPT TO:<bob@domain.com>")) == ["250 2.1.5 Ok"])
        #expect(h.session.phase == .rcpt)
        #expect(wire(h.send("DATA")) == ["354 End data with <CR><LF>.<CR><LF>"])
        #expect(h.session.phase == .data)
        for line in ["Subject: Hello", "", "Hi Bob,", "..leading dot", "Alice"] { #expect(h.send(line).isEmpty) }
        let done = wire(h.send("."))
        try #require(done.count == 1, "DATA end answered \(done)")
        #expect(done[0].hasPrefix("250 2.0.0 Ok: queued as "))
        #expect(h.session.phase == .greeted)
        let inbox = h.session.store.inbox("bob@domain.com")
        try #require(inbox.count == 1)
        let message = inbox[0]
        #expect(done[0].hasSuffix(message.id))
        #expect(message.body == ["Hi Bob,", ".leading dot", "Alice"])
        #expect(message.header("Return-Path") == "<alice@example.com>")
        #expect(message.header("Subject") == "Hello")
        #expect(message.header("Message-ID")?.hasSuffix("@smtp.example.com>") == true)
        let received = try #require(message.headers.first { $0.hasPrefix("Received:") })
        #expect(received.contains("by smtp.example.com"))
        #expect(received.contains("with ESMTPSA"))
        #expect(received.contains("Mon, 30 Nov 2026 09:00:03 +0000"))
        #expect(h.send("QUIT").map(\.code) == [221])
        #expect(h.session.isClosed)
    }

    @Test func queueIDsAreDeterministic() throws {
        func run() throws -> [String] {
            var h = try Harness(preamble: .recipientAdded)
            var ids: [String] = []
            for _ in 0..<2 {
                h.send("DATA"); h.send("x")
                let done = wire(h.send("."))
                try #require(done.count == 1, "DATA end answered \(done)")
                let id = try #require(done[0].wholeMatch(of: /250 2\.0\.0 Ok: queued as ([0-9A-F]{10})/), "not a queue id: \(done[0])")
                ids.append(String(id.1))
                h.send("MAIL FROM:<alice@example.com>"); h.send("RCPT TO:<bob@domain.com>")
            }
            return ids
        }
        let first = try run()
        #expect(first == (try run()), "the same inputs gave other queue ids")
        #expect(first.count == 2 && first[0] != first[1], "two messages of one session share a queue id: \(first)")
    }

    @Test func nullSenderAndPostmasterAreAccepted() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.send("MAIL FROM:<>")) == ["250 2.1.0 Ok"])
        #expect(wire(h.send("RCPT TO:<Postmaster>")) == ["250 2.1.5 Ok"])
        h.send("DATA"); h.send("bounce text")
        #expect(h.send(".").first?.code == 250)
        #expect(h.session.store.inbox("postmaster@domain.com").count == 1)
    }

    @Test func rsetReturnsToGreeted() throws {
        var h = try Harness(preamble: .recipientAdded)
        #expect(wire(h.send("RSET")) == ["250 2.0.0 Ok"])
        #expect(h.session.phase == .greeted)
        #expect(h.session.recipients.isEmpty && h.session.reversePath == nil)
        #expect(h.send("DATA").first?.code == 503)
    }

    @Test func mailParametersAreChecked() throws {
        var h = try Harness(preamble: .authenticated)
        #expect(h.send("MAIL FROM:<alice@example.com> SIZE=abc").first?.code == 501)
        #expect(h.send("MAIL FROM:<alice@example.com> BODY=9BIT").first?.code == 501)
        #expect(h.send("MAIL FROM:<alice@example.com> FOO=1").first?.code == 555)
        #expect(h.send("MAIL FROM:<alice@example.com> SIZE=1000 BODY=8BITMIME SMTPUTF8").first?.code == 250)
    }

    @Test func nonASCIIAddressNeedsSMTPUTF8() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.send("MAIL FROM:<jürgen@example.com>")).first?.hasPrefix("553 5.6.7") == true)
        #expect(h.send("MAIL FROM:<jürgen@example.com> SMTPUTF8").first?.code == 250)
    }

    @Test func senderMustBeOwnedByTheLogin() throws {
        var h = try Harness(preamble: .authenticated)
        #expect(wire(h.send("MAIL FROM:<mallory@example.com>")).first?.hasPrefix("553 5.7.1") == true)
    }

    @Test func mailWithoutBracketsIs501() throws {
        var h = try Harness(preamble: .authenticated)
        #expect(wire(h.send("MAIL FROM:alice@example.com")) == ["501 5.5.4 Syntax: MAIL FROM:<address>"])
        // A space after the colon is tolerated, as most servers do.
        #expect(h.send("MAIL FROM: <alice@example.com>").first?.code == 250)
    }

    @Test func relayingNeedsAuthenticationAndMxNeverRelays() throws {
        var sub = try Harness(preamble: .mailStarted)
        #expect(sub.send("RCPT TO:<friend@elsewhere.org>").first?.code == 250)
        var mx = try Harness(profile: .mx, preamble: .greeted)
        mx.send("MAIL FROM:<alice@example.com>")
        #expect(wire(mx.send("RCPT TO:<friend@elsewhere.org>")) == ["554 5.7.1 <friend@elsewhere.org>: Relay access denied"])
        #expect(mx.send("DATA").first?.code == 554)
    }

    @Test func forwardingMailboxAnswers251() throws {
        var h = try Harness(preamble: .mailStarted)
        #expect(wire(h.send("RCPT TO:<robert@domain.com>")) == ["251 2.1.5 User not local; will forward to <bob@example.org>"])
        h.send("DATA"); h.send("hi")
        #expect(h.send(".").first?.code == 250)
        #expect(h.session.store.outbound.count == 1)
    }
}

@Suite("Order of commands (RFC 5321 §4.1.4)", .timeLimit(.minutes(2)))
struct SequenceTests {
    @Test func mailBeforeHelloIs503() throws {
        var h = try Harness()
        #expect(wire(h.send("MAIL FROM:<alice@example.com>")) == ["503 5.5.1 Error: send HELO/EHLO first"])
    }
    @Test func rcptBeforeMailIs503() throws {
        var h = try Harness(preamble: .authenticated)
        #expect(wire(h.send("RCPT TO:<bob@domain.com>")) == ["503 5.5.1 Error: need MAIL command"])
    }
    @Test func dataBeforeRcptIs503() throws {
        var h = try Harness(preamble: .mailStarted)
        #expect(wire(h.send("DATA")) == ["503 5.5.1 Error: need RCPT command"])
    }
    @Test func nestedMailIs503() throws {
        var h = try Harness(preamble: .mailStarted)
        #expect(wire(h.send("MAIL FROM:<alice@example.com>")) == ["503 5.5.1 Error: nested MAIL command"])
    }
    @Test func mailBeforeTLSOrAuthIs530() throws {
        var h = try Harness(preamble: .greeted)
        #expect(wire(h.send("MAIL FROM:<alice@example.com>")) == ["530 5.7.0 Must issue a STARTTLS command first"])
        var s = try Harness(preamble: .secured)
        #expect(wire(s.send("MAIL FROM:<alice@example.com>")) == ["530 5.7.0 Authentication required"])
    }
    @Test func authBeforeTLSIs538() throws {
        var h = try Harness(preamble: .greeted)
        #expect(wire(h.send("AUTH PLAIN \(SampleCredentials.plainInitialResponse)")) ==
                ["538 5.7.11 Encryption required for requested authentication mechanism"])
    }
    @Test func ehloInsideTransactionResetsIt() throws {
        var h = try Harness(preamble: .recipientAdded)
        h.send("EHLO again.example.com")
        #expect(h.session.phase == .greeted && h.session.recipients.isEmpty)
    }
    @Test func knownButUnimplementedIs502UnknownIs500() throws {
        var h = try Harness(preamble: .greeted)
        #expect(wire(h.send("EXPN staff")) == ["502 5.5.1 Error: command not implemented"])
        #expect(wire(h.send("FROB")) == ["500 5.5.2 Error: command not recognized"])
        #expect(wire(h.send("")) == ["500 5.5.2 Error: bad syntax"])
    }
    @Test func vrfyIsAnswered252() throws {
        var h = try Harness(preamble: .greeted)
        #expect(h.send("VRFY bob").first?.code == 252)
        #expect(h.send("VRFY").first?.code == 501)
    }
    @Test func helpIs214AndHelpStatusIs211() throws {
        var h = try Harness(preamble: .greeted)
        let help = h.send("HELP")
        #expect(help.map(\.code) == [214])
        #expect(help.first?.lines.count == 3)
        #expect(h.send("HELP MAIL").first?.code == 214)
        #expect(h.send("HELP STATUS").first?.code == 211)
        #expect(h.send("HELP BOGUS").first?.code == 504)
    }
}

@Suite("STARTTLS (RFC 3207)", .timeLimit(.minutes(2)))
struct StartTLSTests {
    @Test func resetsSessionAndRequiresEhloAgain() throws {
        var h = try Harness(preamble: .greeted)
        let outputs = h.session.receiveLine("STARTTLS")
        #expect(outputs.contains(.tlsStarted))
        #expect(h.session.tlsActive && h.session.phase == .connected && h.session.clientName == nil)
        #expect(h.send("MAIL FROM:<alice@example.com>").first?.code == 503)
    }
    @Test func secondStartTLSIsRefused() throws {
        var h = try Harness(preamble: .secured)
        #expect(wire(h.send("STARTTLS")) == ["554 5.5.1 Error: TLS already active"])
    }
    @Test func plaintextPipelinedAfterStartTLSIsDiscarded() throws {
        var h = try Harness(preamble: .greeted)
        let r = h.sendRaw("STARTTLS\r\nEHLO injected\r\nNOOP\r\n")
        #expect(r.map(\.code) == [220])
        #expect(h.session.clientName == nil)
        #expect(h.send("NOOP").first?.code == 250)
    }
    @Test func transactionNeverSpansStartTLS() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        h.send("MAIL FROM:<a@example.com>")
        #expect(h.send("STARTTLS").first?.code == 503)
    }
}

@Suite("AUTH (RFC 4954)", .timeLimit(.minutes(2)))
struct AuthTests {
    @Test func plainWithEmptyChallenge() throws {
        var h = try Harness(preamble: .secured)
        #expect(wire(h.send("AUTH PLAIN")) == ["334 "])
        #expect(h.session.phase == .auth)
        #expect(wire(h.send(SampleCredentials.plainInitialResponse)) == ["235 2.7.0 Authentication successful"])
    }
    @Test func loginMechanismPromptsInBase64() throws {
        var h = try Harness(preamble: .secured)
        #expect(wire(h.send("AUTH LOGIN")) == ["334 VXNlcm5hbWU6"])
        #expect(wire(h.send(Base64.encode(Array("alice@example.com".utf8)))) == ["334 UGFzc3dvcmQ6"])
        #expect(h.send(Base64.encode(Array("wonderland".utf8))).first?.code == 235)
    }
    @Test func starCancels() throws {
        var h = try Harness(preamble: .secured)
        h.send("AUTH LOGIN")
        #expect(wire(h.send("*")) == ["501 5.7.0 Authentication aborted"])
        #expect(h.session.phase == .greeted && h.session.authenticatedUser == nil)
    }
    @Test func wrongPasswordIs535() throws {
        var h = try Harness(preamble: .secured)
        let bad = Base64.encode(Array("\0alice@example.com\0guess".utf8))
        #expect(wire(h.send("AUTH PLAIN \(bad)")) == ["535 5.7.8 Error: authentication failed: authentication failure"])
    }
    @Test func badBase64AndUnknownMechanism() throws {
        var h = try Harness(preamble: .secured)
        #expect(h.send("AUTH PLAIN !!!").first?.code == 501)
        #expect(h.send("AUTH CRAM-MD5").first?.code == 504)
        h.send("AUTH PLAIN \(SampleCredentials.plainInitialResponse)")
        #expect(h.send("AUTH PLAIN \(SampleCredentials.plainInitialResponse)").first?.code == 503)
    }
    @Test func mxDoesNotOfferAuth() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(h.send("AUTH PLAIN x").first?.code == 503)
    }
}

@Suite("Framing, limits and pipelining", .timeLimit(.minutes(2)))
struct FramingTests {
    static let script = "EHLO a.example\r\nMAIL FROM:<x@a.example>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\nhello\r\n..dot\r\n.\r\nQUIT\r\n"

    /// The framer's tests feed one whole script in many chunkings; RFC 2920's check (which looks at what arrived
    /// together, PipeliningRuleTests) is off here so that only the framing is compared.
    static func framing() throws -> Harness {
        var h = try Harness(profile: .mx)
        h.session.enforcesPipelining = false
        return h
    }

    @Test func anyChunkingGivesTheSameReplies() throws {
        var whole = try Self.framing()
        let expected = wire(whole.sendRaw(Self.script))
        #expect(expected.count == 15)
        for chunk in [1, 2, 3, 7, 64] {
            var h = try Self.framing()
            var got: [String] = []
            let bytes = Array(Self.script.utf8)
            var i = 0
            while i < bytes.count {
                got += wire(replies(h.session.receive(bytes[i..<min(bytes.count, i + chunk)])))
                i += chunk
            }
            #expect(got == expected, "chunk size \(chunk)")
        }
    }

    @Test func bareLineFeedsWork() throws {
        var h = try Self.framing()
        let r = h.sendRaw(Self.script.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(r.map(\.code) == [250, 250, 250, 354, 250, 221])
        #expect(h.session.store.inbox("bob@domain.com").first?.body == ["hello", ".dot"])
    }

    @Test func pipelinedCommandsAreAnsweredInOrder() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        let r = h.sendRaw("MAIL FROM:<a@example.org>\r\nRCPT TO:<bob@domain.com>\r\nRCPT TO:<nobody@domain.com>\r\nDATA\r\n")
        #expect(r.map(\.code) == [250, 250, 550, 354])
    }

    @Test func commandLineLimitIs512WithCRLF() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        let base = "NOOP "
        let fits = base + String(repeating: "a", count: 510 - base.count)
        #expect(h.send(fits).first?.code == 250)
        #expect(wire(h.send(fits + "a")).first?.hasPrefix("500 5.5.2 Error: line too long") == true)
        // The whole over-long line is consumed: the next command is read normally.
        #expect(h.sendRaw(String(repeating: "x", count: 1_000_000) + "\r\nNOOP\r\n").map(\.code) == [500, 250])
    }

    @Test func textLinesOver1000OctetsAreAcceptedAsPostfixAcceptsThem() throws {
        // RFC 5321 §4.5.3.1.6 limits a text line to 1000 octets with CRLF; Postfix reads longer ones all the same
        // (Python's MIMEText with a long 7bit line relies on it), so this server stores them byte for byte.
        for length in [998, 999, 2_000, 100_000] {
            var h = try Harness(profile: .mx, preamble: .greeted)
            h.send("MAIL FROM:<a@example.org>"); h.send("RCPT TO:<bob@domain.com>"); h.send("DATA")
            let line = String(repeating: "b", count: length)
            // Sent in pieces, as a socket delivers a long line: the framer joins them.
            let bytes = Array((line + "\r\n").utf8)
            for start in stride(from: 0, to: bytes.count, by: 4_096) {
                _ = h.session.receive(bytes[start..<min(bytes.count, start + 4_096)])
            }
            #expect(h.send(".").first?.code == 250, "\(length)")
            let stored = try #require(h.session.store.inbox("bob@domain.com").first)
            #expect(stored.body == [line])
            #expect(stored.longestLine == length)
        }
    }

    @Test func aLineLongerThanTheMessageSizeLimitIsRefusedAsTooBig() throws {
        var world = World.standard
        world.scenario = try #require(world.scenario(named: "tight-limits"))
        var h = try Harness(profile: .mx, world: world, preamble: .greeted)
        h.send("MAIL FROM:<a@example.org>"); h.send("RCPT TO:<bob@domain.com>"); h.send("DATA")
        _ = h.sendRaw(String(repeating: "b", count: world.scenario.maxMessageSize + 10) + "\r\n")
        #expect(wire(h.send(".")).first?.hasPrefix("552 5.3.4") == true)
        #expect(h.session.phase == .greeted)
    }

    @Test func tooManyErrorsClose() throws {
        // Postfix's smtpd_hard_error_limit (20); the details are in PostfixFidelityTests.
        var h = try Harness(preamble: .greeted)
        var codes: [Int] = []
        for _ in 0..<20 { codes += h.send("BOGUS").map(\.code) }
        #expect(codes.suffix(2) == [500, 421])
        #expect(h.session.isClosed)
        #expect(h.send("NOOP").isEmpty)
    }

    @Test func aSuccessfulCommandDoesNotResetTheErrorCount() throws {
        var h = try Harness(preamble: .greeted)
        for _ in 0..<9 { h.send("BOGUS") }
        h.send("NOOP")
        for _ in 0..<9 { h.send("BOGUS") }
        #expect(!h.session.isClosed && h.session.errorCount == 18)
        h.send("BOGUS"); h.send("BOGUS")
        #expect(h.session.isClosed)
    }

    @Test func binaryAndNulGetRealReplies() throws {
        var h = try Harness(preamble: .greeted)
        let r = replies(h.session.receive([0x00, 0xFF, 0xFE, 0x41, 0x0D, 0x0A]))
        #expect(r.map(\.code) == [500])
    }
}

@Suite("The world's mailboxes and scenarios", .timeLimit(.minutes(2)))
struct WorldTests {
    @Test func greylistingAcceptsARetryAfterTheDelay() throws {
        var h = try Harness(preamble: .mailStarted)
        h.session.now = 100
        #expect(wire(h.send("RCPT TO:<dave@domain.com>")).first?.hasPrefix("450 4.2.0") == true)
        h.session.now = 399
        #expect(h.send("RCPT TO:<dave@domain.com>").first?.code == 450)
        h.session.now = 400
        #expect(h.send("RCPT TO:<dave@domain.com>").first?.code == 250)
    }

    @Test func fullUnknownAndBadNames() throws {
        var h = try Harness(preamble: .mailStarted)
        #expect(wire(h.send("RCPT TO:<carol@domain.com>")).first?.hasPrefix("552 5.2.2") == true)
        #expect(wire(h.send("RCPT TO:<nobody@domain.com>")).first?.hasPrefix("550 5.1.1") == true)
        #expect(wire(h.send("RCPT TO:<bob smith@domain.com>")).first?.hasPrefix("553 5.1.3") == true)
        #expect(h.send("RCPT TO:<bob..x@domain.com>").first?.code == 553)
        #expect(h.send("DATA").first?.code == 554)
    }

    @Test func recipientLimitAndSizeLimitInTightScenario() throws {
        var world = World.standard
        world.scenario = try #require(world.scenario(named: "tight-limits"))
        var h = try Harness(world: world, preamble: .recipientAdded)
        #expect(h.send("RCPT TO:<postmaster@domain.com>").first?.code == 250)
        #expect(wire(h.send("RCPT TO:<bob@domain.com>")) == ["452 4.5.3 Error: too many recipients"])
        h.send("DATA")
        for _ in 0..<40 { h.send(String(repeating: "z", count: 70)) }
        #expect(wire(h.send(".")) == ["552 5.3.4 Message size exceeds fixed limit"])
    }

    @Test func contentRuleRefusesGTUBE() throws {
        var h = try Harness(preamble: .recipientAdded)
        h.send("DATA"); h.send("This carries GTUBE, the spam test marker")
        #expect(wire(h.send(".")).first?.hasPrefix("554 5.7.1") == true)
        #expect(h.session.store.inbox("bob@domain.com").isEmpty)
    }

    @Test func shutdownScenarioAnswers421AndCloses() throws {
        var h = try Harness(preamble: .greeted)
        h.session.setScenario(try #require(World.standard.scenario(named: "shutdown")))
        #expect(wire(h.send("NOOP")) == ["421 4.3.2 smtp.example.com Service shutting down, closing transmission channel"])
        #expect(h.session.isClosed)
    }

    @Test func everyMailboxAndRuleOfTheWorldAppearsOnTheMap() throws {
        let map = WorldMap.render(World.standard)
        for box in World.standard.mailboxes { #expect(map.contains(box.address)) }
        for rule in World.standard.rules { #expect(map.contains(rule.input)) }
        for s in World.standard.scenarios { #expect(map.contains(s.name)) }
    }
}

@Suite("Simulated time", .timeLimit(.minutes(2)))
struct TimeTests {
    @Test func tickZeroIsTheEpoch() throws {
        #expect(SimulatedTime.rfc5322Date(tick: 0) == "Mon, 30 Nov 2026 09:00:00 +0000")
        #expect(SimulatedTime.rfc5322Date(tick: 60 * 86_400 * 2) == "Wed, 02 Dec 2026 09:00:00 +0000")
        #expect(SimulatedTime.rfc5322Date(tick: 60 * 86_400 * 32) == "Fri, 01 Jan 2027 09:00:00 +0000")
    }
}
