// The journey as the learner sees it: the flow pane at every stage of a message's trip (snapshots at 80x24,
// 120x36 and 200x60), and the keys and clicks that open the mailboxes and the relay hop.
import Testing
@testable import TUI
import SMTPCore

/// Where a frame is taken, and the text it must show there (besides its snapshot).
struct JourneyStop: CustomTestStringConvertible, Sendable {
    let name: String
    let recipient: String
    /// Reached when this is true of the simulation after sending everything up to the stop.
    let reached: @Sendable (Simulation) -> Bool
    /// Whether the final dot is sent (everything after composing).
    let sendsDot: Bool
    var testDescription: String { name }

    static func inFlight(_ sim: Simulation, from: FlowNode, to: FlowNode) -> Bool {
        sim.flows.contains { e in
            if case .message = e.kind, e.from == from, e.to == to, let p = e.progress(at: sim.tick) { return p >= 0.4 }
            return false
        }
    }

    static let all: [JourneyStop] = [
        JourneyStop(name: "composing", recipient: "bob@domain.com", reached: { $0.currentStage == .composing }, sendsDot: false),
        JourneyStop(name: "to-server", recipient: "bob@domain.com", reached: { inFlight($0, from: .sender, to: .server) }, sendsDot: true),
        JourneyStop(name: "queued", recipient: "bob@domain.com", reached: { if case .queued? = $0.currentStage { return true }; return false }, sendsDot: true),
        JourneyStop(name: "mx-lookup", recipient: "bob@domain.com", reached: { sim in
            sim.flows.contains { if case .dnsAnswer = $0.kind { return $0.progress(at: sim.tick) != nil }; return false }
        }, sendsDot: true),
        JourneyStop(name: "relay", recipient: "bob@domain.com", reached: { inFlight($0, from: .server, to: .mx) }, sendsDot: true),
        JourneyStop(name: "checks", recipient: "bob@domain.com", reached: { sim in
            guard let (run, steps) = sim.trust(at: sim.tick) else { return false }
            return steps.count == run.steps.count && run.end <= sim.tick
        }, sendsDot: true),
        JourneyStop(name: "delivered", recipient: "bob@domain.com", reached: { if case .delivered? = $0.currentStage { return true }; return false }, sendsDot: true),
        JourneyStop(name: "bounced", recipient: "nobody@domain.com", reached: { if case .bounced? = $0.currentStage { return true }; return false }, sendsDot: true),
    ]
}

/// Types a message to `recipient` through smtp.example.com and stops at `stop` (advancing one tick at a time,
/// so the frame is the first one where the stop is visible). Nil if the stop never came.
func stateAt(_ stop: JourneyStop, size: Size) -> AppState? {
    var s = AppState(size: size)
    type("connect", &s)
    for line in SessionPreamble.authenticated.clientLines + ["MAIL FROM:<alice@example.com>", "RCPT TO:<\(stop.recipient)>", "DATA",
                                                             "Subject: Lunch", "", "See you at noon."] {
        type(line, &s)
    }
    if stop.sendsDot {
        for ch in "." { _ = App.update(&s, .key(.char(ch))) }
        _ = App.update(&s, .key(.enter))
    }
    var n = 0
    while !stop.reached(s.sim) && n < 5_000 { _ = App.update(&s, .tick(1)); n += 1 }
    return stop.reached(s.sim) ? s : nil
}

@Suite("The journey in the flow pane", .timeLimit(.minutes(2)))
struct JourneyViewTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 36), Size(width: 200, height: 60)]
    static let cases = JourneyStop.all.flatMap { stop in sizes.map { (stop, $0) } }

    @Test(arguments: cases)
    func everyStageAtEverySize(_ stop: JourneyStop, _ size: Size) throws {
        let s = try #require(stateAt(stop, size: size), "the \(stop.name) stage was never reached")
        let text = Frame.render(s).buffer.text
        let wide = size.width >= 120
        // What a learner must be able to read off the picture at this stage, at any size.
        switch stop.name {
        case "composing": #expect(text.contains(wide ? "● Composing: writing the envelope" : "● Composing"))
        case "to-server": #expect(text.contains(size.width >= 200 ? "[✉ Lunch" : "[✉ L"))
        case "queued": #expect(text.contains("● Delivering"))
        case "mx-lookup":
            #expect(text.contains("DNS"))
            #expect(text.contains(wide ? "domain.com → MX 10 mx.domain.com" : "mx.domain.com"))
        case "relay":
            // On the relay link: one row of the diagram reads smtp.example.com, the envelope, then mx.domain.com.
            let onTheRelayLink = text.split(separator: "\n").contains { row in
                guard let server = row.range(of: "smtp.example.com"), let envelope = row.range(of: "[✉"),
                      let mx = row.range(of: "mx.domain.com") else { return false }
                return server.upperBound <= envelope.lowerBound && envelope.upperBound <= mx.lowerBound
            }
            #expect(onTheRelayLink, "the message is not between smtp.example.com and mx.domain.com:\n\(text)")
        case "checks":
            // mx.domain.com's three verdicts beside it: one a row in the full chain, in a line in the strip.
            if wide {
                for check in ["SPF   ✓ pass", "DKIM  ✓ pass", "DMARC ✓ pass"] { #expect(text.contains(check), "\(check) missing:\n\(text)") }
            } else {
                #expect(text.contains("SPF✓ DKIM✓ DMARC✓"), "the checks are missing:\n\(text)")
            }
        case "delivered": #expect(text.contains(size.width >= 200 ? "✉ 1 message" : wide ? "bob@domain.com  ✉ 1" : "Bob [1]"))
        case "bounced":
            #expect(text.contains("Bounced"))
            #expect(text.contains(wide ? "1 bounce (DSN)" : "Alice's mailbox"))
        default: Issue.record("unknown stop \(stop.name)")
        }
        // At every stage: the recipient's address is on screen, and DNS is never a hop on the mail's path (no row
        // runs smtp.example.com, DNS, mx.domain.com in that order).
        #expect(text.contains(stop.recipient), "\(stop.recipient) is not on screen:\n\(text)")
        for row in text.split(separator: "\n") {
            if let server = row.range(of: "smtp.example.com"), let dns = row.range(of: "DNS"), let mx = row.range(of: "mx.domain.com"),
               server.upperBound <= dns.lowerBound, dns.upperBound <= mx.lowerBound {
                Issue.record("DNS drawn on the path: \(row)")
            }
        }
        Snapshot.check(Frame.render(s).buffer, named: Snapshot.name("journey-\(stop.name)", size))
    }

    @Test func theMessageMovesAcrossTheRelayLink() throws {
        let stop = try #require(JourneyStop.all.first { $0.name == "relay" })
        var s = try #require(stateAt(stop, size: Size(width: 120, height: 36)))
        func envelopeX() -> Int? { Frame.render(s).buffer.find("[✉")?.x }
        let first = try #require(envelopeX())
        _ = App.update(&s, .tick(4))
        let later = try #require(envelopeX())
        #expect(later > first, "the envelope must travel right, towards the MX")
    }

    @Test func bOpensEveryMailboxWithAlicesBounce() throws {
        let stop = try #require(JourneyStop.all.first { $0.name == "bounced" })
        var s = try #require(stateAt(stop, size: Size(width: 120, height: 36)))
        settle(&s)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("b")))
        #expect(s.popup == .inbox)
        let lines = Frame.mailboxLines(s.sim).lines.map(\.0)
        #expect(lines.contains { $0.hasPrefix("▌ Bob: bob@domain.com at mx.domain.com — 0 messages") })
        #expect(lines.contains { $0.hasPrefix("▌ Alice: alice@example.com at smtp.example.com — 1 message, 1 bounce") })
        #expect(lines.contains("Final-Recipient: rfc822; nobody@domain.com"))
        #expect(lines.contains("Status: 5.1.1"))
        #expect(Frame.render(s).buffer.text.contains("Mailboxes"))
    }

    @Test func tabInTheMailboxesExplainsEachHeaderFieldAndTheVerdicts() throws {
        let stop = try #require(JourneyStop.all.first { $0.name == "delivered" })
        var s = try #require(stateAt(stop, size: Size(width: 120, height: 36)))
        settle(&s)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("b")))
        #expect(s.popup == .inbox && s.inboxField == nil)
        _ = App.update(&s, .key(.tab))
        #expect(s.inboxField == 0)
        var text = Frame.render(s).buffer.text
        #expect(text.contains("▸ Return-Path: <alice@example.com>"))
        #expect(text.contains("the envelope sender (MAIL FROM)"))
        // The next field is mx.domain.com's verdicts, read out one by one.
        _ = App.update(&s, .key(.tab))
        text = Frame.render(s).buffer.text
        #expect(text.contains("▸ Authentication-Results: mx.domain.com;"))
        #expect(text.contains("spf=pass: the sending server's address is among the envelope domain's senders"))
        // Shift-Tab goes back; a click on a field selects it, a second click deselects it.
        _ = App.update(&s, .key(.backTab))
        #expect(s.inboxField == 0)
        let frame = Frame.render(s)
        let hit = try #require(frame.hits.last { if case .headerField(1) = $0.target { return true }; return false })
        _ = App.update(&s, .mouse(MouseEvent(.press, x: hit.rect.x, y: hit.rect.y)))
        _ = App.update(&s, .mouse(MouseEvent(.release, x: hit.rect.x, y: hit.rect.y)))
        #expect(s.inboxField == 1)
    }

    @Test func theReferenceListsSPFDKIMDMARCAndAuthenticationResultsAfterTheCommands() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("2")))
        for _ in 0..<(CommandCatalogue.all.count + 1) { _ = App.update(&s, .key(.down)) }
        _ = App.update(&s, .key(.enter))
        #expect(s.popup == .trust(1))
        let text = Frame.render(s).buffer.text
        #expect(text.contains("DKIM — a domain's signature on the content"))
        #expect(text.contains("rsa2026._domainkey.example.com."))
        #expect(TrustCatalogue.all.map(\.id) == ["SPF", "DKIM", "DMARC", "Authentication-Results"])
    }

    @Test func followingNextOnPort25DeliversWithoutAForgedFrom() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect mx.domain.com", &s)
        var steps = 0
        while let next = Suggestion.next(for: s), next != "QUIT", next != "connect", steps < 30 {
            #expect(!next.hasPrefix("From:"), "a From: at example.com from Alice's computer meets example.com's p=reject")
            type(next, &s)
            steps += 1
        }
        settle(&s)
        #expect(s.sim.mailbox("bob@domain.com").count == 1)
        #expect(!s.transcript.contains { $0.text.hasPrefix("550") })
        // Its verdicts are on it: Alice's computer is not example.com's sender; no From:, so no DMARC to apply.
        let results = try #require(s.sim.mailbox("bob@domain.com").first?.message.authenticationResults(by: "mx.domain.com"))
        #expect(results.contains("spf=fail") && results.contains("dkim=none") && results.contains("dmarc=none"))
    }

    @Test func rAndAClickOnTheHopOpenTheRelayTranscript() throws {
        let stop = try #require(JourneyStop.all.first { $0.name == "delivered" })
        var s = try #require(stateAt(stop, size: Size(width: 120, height: 36)))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("r")))
        #expect(s.popup == .relay)
        let lines = Frame.relayLines(s.sim).map(\.0)
        #expect(lines.contains("C: EHLO smtp.example.com"))
        #expect(lines.contains("C: RCPT TO:<bob@domain.com>"))
        #expect(lines.contains { $0.hasPrefix("S: 250 2.0.0 Ok: queued as") })
        _ = App.update(&s, .key(.escape))
        #expect(s.popup == nil)
        let hop = try #require(Frame.render(s).hits.first { $0.target == .relayHop })
        _ = App.update(&s, .mouse(MouseEvent(.press, x: hop.rect.x + 1, y: hop.rect.y)))
        #expect(s.popup == .relay)
    }

    @Test func telnetAndConnectReachTheMXOnPort25() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        type("telnet mx.domain.com 25", &s)
        #expect(s.sim.host.name == "mx.domain.com")
        #expect(s.transcript.contains { $0.text.hasPrefix("220 mx.domain.com ESMTP") })
        type("EHLO client.example.com", &s)
        type("MAIL FROM:<alice@example.com>", &s)
        type("RCPT TO:<carol@domain.com>", &s)
        #expect(s.transcript.last?.kind == .server(552))
        type("QUIT", &s)
        type("connect nowhere.test", &s)
        #expect(s.transcript.last?.text.hasPrefix("No server called nowhere.test") == true)
        type("open smtp.example.com 25", &s)
        #expect(s.transcript.contains { $0.text.contains("listens on port 587 in this simulation, not 25") })
        #expect(s.sim.host.name == "smtp.example.com")
    }

    @Test func suggestionsNeverWaitForTheRelay() throws {
        // Once the submission server said "queued", the learner may go on (QUIT) while the relay runs.
        let stop = try #require(JourneyStop.all.first { $0.name == "relay" })
        let s = try #require(stateAt(stop, size: Size(width: 120, height: 36)))
        #expect(Suggestion.next(for: s) == "QUIT")
    }
}
