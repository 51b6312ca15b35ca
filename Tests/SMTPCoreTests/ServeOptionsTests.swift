// The engine options that a real network server switches on: TLS unavailable, Postfix 3.9's smuggling defences,
// and the stored message's bytes.
import Testing
@testable import SMTPCore

@Suite("Engine options for real serving", .timeLimit(.minutes(1)))
struct ServeOptionsTests {
    @Test func withoutTLSStartTLSIsNeitherAdvertisedNorAccepted() throws {
        var h = try Harness(profile: .mx)
        h.session.tlsAvailable = false
        let ehlo = wire(h.send("EHLO client.example.com"))
        #expect(!ehlo.contains { $0.contains("STARTTLS") })
        #expect(ehlo.contains("250-8BITMIME"))
        #expect(wire(h.send("STARTTLS")) == ["454 4.7.0 TLS not available"])
        #expect(!h.session.tlsActive)
        // The session goes on in plaintext.
        #expect(h.send("MAIL FROM:<alice@example.com>").first?.code == 250)
    }

    @Test func withTLSStartTLSIsAdvertisedAndAccepted() throws {
        var h = try Harness(profile: .mx)
        #expect(wire(h.send("EHLO client.example.com")).contains("250-STARTTLS"))
        #expect(wire(h.send("STARTTLS")) == ["220 2.0.0 Ready to start TLS"])
    }

    /// A session at 354 on the mx profile with the smuggling defences on.
    static func inData() throws -> Harness {
        var h = try Harness(profile: .mx)
        h.session.forbidsSmuggling = true
        for line in ["EHLO client.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>"] {
            try #require(h.send(line).first?.code == 250)
        }
        try #require(h.send("DATA").first?.code == 354)
        return h
    }

    @Test(arguments: ["\n.\n", "\n.\r\n", "\r\n.\n"])
    func bareLineFeedDotSequencesNeverEndData(ending: String) throws {
        var h = try Self.inData()
        // The classic smuggling payload: a fake end of data, then a second transaction inside the first.
        let outputs = h.session.receive(Array("Subject: one\r\n\r\nfirst\(ending)MAIL FROM:<evil@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\nsmuggled\r\n.\r\n".utf8))
        #expect(wire(replies(outputs)) == ["521 5.5.2 smtp.example.com Error: bare <LF> received"])
        #expect(!outputs.contains { if case .delivered = $0 { true } else { false } })
        #expect(h.session.isClosed)
    }

    @Test func otherBareLineFeedLinesAreLinesStoredWithCRLF() throws {
        var h = try Self.inData()
        // curl uploads a file's LF line ends as they are; Postfix 3.9 (normal) takes them as line ends.
        let outputs = h.session.receive(Array("Subject: lf\n\nline 1\nline 2\r\n.\r\n".utf8))
        #expect(wire(replies(outputs)).first?.hasPrefix("250 2.0.0 Ok: queued as ") == true)
        let message = try #require(outputs.compactMap { if case .delivered(let m) = $0 { m } else { nil } }.first)
        #expect(String(decoding: message.messageBytes, as: UTF8.self).hasSuffix("Subject: lf\r\n\r\nline 1\r\nline 2\r\n"))  // mx adds no Message-ID:/Date:/From: (Postfix ≥ 2.6)
    }

    @Test func aBareLineFeedCommandIsStillACommand() throws {
        var h = try Harness(profile: .mx)
        h.session.forbidsSmuggling = true
        #expect(h.sendRaw("EHLO client.example.com\n").first?.code == 250)
    }

    @Test func onlyCRLFDotCRLFEndsData() throws {
        var h = try Self.inData()
        let outputs = h.session.receive(Array("Subject: ok\r\n\r\nbody\r\n.\r\n".utf8))
        #expect(wire(replies(outputs)).first?.hasPrefix("250 2.0.0 Ok: queued as ") == true)
    }

    @Test func dataPipelinedBeforeThe354IsRefused() throws {
        var h = try Harness(profile: .mx)
        h.session.forbidsSmuggling = true
        try #require(h.send("EHLO client.example.com").first?.code == 250)
        let outputs = h.session.receive(Array("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\nSubject: early\r\n\r\nhi\r\n.\r\n".utf8))
        #expect(wire(replies(outputs)) == ["250 2.1.0 Ok", "250 2.1.5 Ok", "554 5.5.0 Error: SMTP protocol synchronization"])
        #expect(h.session.isClosed)
    }

    @Test func pipeliningUpToDataIsStillFine() throws {
        var h = try Harness(profile: .mx)
        h.session.forbidsSmuggling = true
        try #require(h.send("EHLO client.example.com").first?.code == 250)
        let outputs = h.session.receive(Array("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\n".utf8))
        #expect(wire(replies(outputs)) == ["250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>"])
    }

    @Test func withoutTheOptionBareLineFeedsAreStillAccepted() throws {
        var h = try Harness(profile: .mx)
        #expect(h.sendRaw("EHLO client.example.com\n").first?.code == 250)
    }
}
