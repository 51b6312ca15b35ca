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
}
