// The journey of an e-mail through the simulated network: submission, queue, DNS, relay to the MX, delivery,
// deferral and retry, and the bounce that comes back. Expectations are written from RFC 5321 §4.4/§5.1, RFC 3464
// and the world's map, not read from the code under test.
import Testing
@testable import SMTPCore

@Suite("The journey: submission, MX lookup, relay, bounce")
struct JourneyTests {
    /// Sends each line and lets the simulation run until the replies are in (as a patient learner would).
    static func run(_ sim: inout Simulation, _ lines: [String], limit: Int = 20_000) -> [SimulationOutput] {
        var seen: [SimulationOutput] = []
        func waitForReplies() {
            var n = 0
            while sim.isAwaitingServer && n < limit { seen += sim.advanceAll(by: 1); n += 1 }
        }
        waitForReplies()  // the greeting first (RFC 2920: nothing is sent before it)
        for line in lines {
            sim.send(line)
            waitForReplies()
        }
        return seen
    }

    /// Runs until nothing moves and nothing waits in the queue.
    static func settle(_ sim: inout Simulation, limit: Int = 20_000) -> [SimulationOutput] {
        var seen: [SimulationOutput] = []
        var n = 0
        while sim.isBusy && n < limit { seen += sim.advanceAll(by: 1); n += 1 }
        return seen
    }

    static func codes(_ outputs: [SimulationOutput]) -> [Int] {
        outputs.compactMap { if case .session(.reply(let r, _)) = $0 { return r.code }; return nil }
    }

    static let submit = SessionPreamble.authenticated.clientLines + ["MAIL FROM:<alice@example.com>"]

    static func message(to rcpt: String, subject: String = "Lunch?") -> [String] {
        ["RCPT TO:<\(rcpt)>", "DATA", "From: Alice <alice@example.com>", "To: <\(rcpt)>", "Subject: \(subject)", "",
         "See you at noon.", ".", "QUIT"]
    }

    /// Every command of the relay hop has its caption on screen from the moment it leaves smtp.example.com: the
    /// words lead the arrow, never follow it. Also paced like the learner's own hop.
    @Test func theRelayHopsCaptionsLeadItsArrows() throws {
        var sim = Simulation()
        let connected = sim.connect()
        #expect(connected)
        _ = Self.run(&sim, Self.submit + Self.message(to: "bob@domain.com"))
        var seen: [String: String] = [:]
        var n = 0
        while sim.isBusy && n < 20_000 {
            _ = sim.advanceAll(by: 1); n += 1
            for flow in sim.flows where flow.from == .server && flow.to == .mx && flow.start == sim.tick {
                guard case .command(let verb) = flow.kind, seen[verb] == nil else { continue }
                seen[verb] = sim.currentCaption ?? ""
                #expect(flow.end - flow.start == sim.latency.transit, "the relay's \(verb) travels as slowly as the learner's own commands")
            }
        }
        #expect(Set(seen.keys) == ["EHLO", "STARTTLS", "MAIL", "RCPT", "DATA", "QUIT"], "commands seen: \(seen.keys.sorted())")
        for (verb, caption) in seen {
            let word = verb == "MAIL" ? "MAIL FROM" : verb == "RCPT" ? "RCPT TO" : verb
            #expect(caption.contains(word), "as \(verb) leaves, the caption says: \(caption)")
        }
    }

    @Test func mailToBobTravelsThroughTheMXAndArrivesWithTwoReceivedHeaders() throws {
        var sim = Simulation()
        let connected = sim.connect()
        #expect(connected)
        var out = Self.run(&sim, Self.submit + Self.message(to: "bob@domain.com"))
        out += Self.settle(&sim)
        #expect(Self.codes(out).suffix(4) == [250, 354, 250, 221])
        let bob = sim.mailbox("bob@domain.com")
        try #require(bob.count == 1)
        #expect(bob[0].host == "mx.domain.com")
        let received = bob[0].message.headers.filter { $0.hasPrefix("Received:") }
        try #require(received.count == 2)
        // RFC 5321 §4.4: each hop puts its Received: on top, so the MX comes first.
        #expect(received[0].contains("by mx.domain.com"))
        #expect(received[0].contains("from smtp.example.com (smtp.example.com [192.0.2.25])"))
        #expect(received[1].contains("by smtp.example.com"))
        #expect(received[1].contains("client.example.com [192.0.2.10]"))
        // Only the final server adds Return-Path (one, at the top).
        #expect(bob[0].message.headers.filter { $0.hasPrefix("Return-Path:") } == ["Return-Path: <alice@example.com>"])
        #expect(bob[0].message.body == ["See you at noon."])
        // The submission server's own store keeps nothing for Bob: it is not his server.
        #expect(sim.stores["smtp.example.com"]?.inbox("bob@domain.com").isEmpty ?? true)
        // The relay really spoke SMTP with mx.domain.com, over TLS.
        let relay = sim.hopLines.filter { $0.host == "mx.domain.com" }.map(\.text)
        #expect(relay.contains("EHLO smtp.example.com"))
        #expect(relay.contains("STARTTLS"))
        #expect(relay.contains("RCPT TO:<bob@domain.com>"))
        #expect(relay.contains { $0.hasPrefix("250 2.0.0 Ok: queued as ") })
        #expect(sim.hops.last?.tlsFrom != nil)
        #expect(sim.hopLines.contains { $0.text.contains("DNS answer: domain.com. MX 10 mx.domain.com.") })
        #expect(sim.currentStage == .delivered(mailbox: "bob@domain.com", host: "mx.domain.com"))
    }

    @Test func theStagesFollowTheMessageInOrder() throws {
        var sim = Simulation()
        sim.connect()
        _ = Self.run(&sim, Self.submit + Self.message(to: "bob@domain.com"))
        _ = Self.settle(&sim)
        let order = sim.stages.sorted { $0.tick < $1.tick }.map(\.value)
        let phases = order.map(\.phase).reduce(into: [JourneyStage.Phase]()) { if $0.last != $1 { $0.append($1) } }
        #expect(phases == [.composing, .transmitting, .delivering, .delivered])
        #expect(order.contains(.dnsLookup(domain: "domain.com")))
        #expect(order.contains(.relaying(host: "mx.domain.com")))
    }

    @Test func anUnknownRecipientIsAcceptedThenBouncedToAlice() throws {
        var sim = Simulation()
        sim.connect()
        let out = Self.run(&sim, Self.submit + ["RCPT TO:<nobody@domain.com>"])
        // The submission server cannot know domain.com's users: it accepts (RFC 6409), the MX refuses later.
        #expect(Self.codes(out).last == 250)
        _ = Self.run(&sim, Array(Self.message(to: "nobody@domain.com").dropFirst()))
        let later = Self.settle(&sim)
        #expect(later.contains { if case .note(let n) = $0 { return n.contains("Undeliverable: nobody@domain.com") }; return false })
        let alice = sim.mailbox("alice@example.com")
        try #require(alice.count == 1)
        let dsn = alice[0].message
        #expect(alice[0].isBounce)
        #expect(dsn.envelopeFrom == "")
        #expect(dsn.header("From") == "MAILER-DAEMON@smtp.example.com (Mail Delivery System)")
        #expect(dsn.header("Content-Type")?.hasPrefix("multipart/report; report-type=delivery-status;") == true)
        // The machine-readable part (RFC 3464 §2.2, §2.3).
        let body = dsn.body
        let statusPart = try #require(body.firstIndex(of: "Content-Type: message/delivery-status"))
        let fields = Array(body[statusPart...])
        #expect(fields.contains("Reporting-MTA: dns; smtp.example.com"))
        #expect(fields.contains("Final-Recipient: rfc822; nobody@domain.com"))
        #expect(fields.contains("Action: failed"))
        #expect(fields.contains("Status: 5.1.1"))
        #expect(fields.contains("Remote-MTA: dns; mx.domain.com"))
        #expect(fields.contains { $0.hasPrefix("Diagnostic-Code: smtp; 550 5.1.1 <nobody@domain.com>") })
        // And the original's headers come back in the third part.
        #expect(body.contains("Content-Type: text/rfc822-headers"))
        #expect(body.contains("Subject: Lunch?"))
        #expect(sim.mailbox("nobody@domain.com").isEmpty)
        #expect(sim.currentStage == .bounced(recipient: "nobody@domain.com"))
    }

    @Test func aGreylistedRecipientIsDeferredThenTheRetryDelivers() throws {
        var sim = Simulation()
        sim.connect()
        _ = Self.run(&sim, Self.submit + Self.message(to: "dave@domain.com"))
        let out = Self.settle(&sim)
        // The reply that followed each RCPT for dave in the relay transcript: first 450, then (the retry) 250.
        let lines = sim.hopLines
        let relayReplies = lines.indices.filter { lines[$0].text == "RCPT TO:<dave@domain.com>" }.compactMap { i in
            lines[(i + 1)...].lazy.compactMap { if case .server(let c) = $0.kind { return c }; return nil }.first
        }
        #expect(relayReplies == [450, 250])
        #expect(out.contains { if case .note(let n) = $0 { return n.contains("deferred") && n.contains("Retrying in 6 s") }; return false })
        let deferredAt = try #require(sim.stages.first { if case .deferred = $0.value { return true }; return false })
        guard case .deferred(let host, let retryAt) = deferredAt.value else { return }
        #expect(host == "mx.domain.com")
        // The documented retry delay: 6 s = 360 ticks after the deferral.
        #expect(retryAt == deferredAt.tick + 360)
        let dave = sim.mailbox("dave@domain.com")
        try #require(dave.count == 1)
        #expect(dave[0].tick > deferredAt.tick + 360)
        #expect(sim.mailbox("alice@example.com").isEmpty)
    }

    @Test func mailToAnotherDomainGoesToThatDomainsMXNeverToBob() throws {
        var sim = Simulation()
        sim.connect()
        _ = Self.run(&sim, Self.submit + Self.message(to: "someone@elsewhere.org"))
        _ = Self.settle(&sim)
        #expect(sim.mailbox("someone@elsewhere.org").map(\.host) == ["mx.elsewhere.org"])
        #expect(sim.mailbox("bob@domain.com").isEmpty)
        #expect(sim.hopLines.contains { $0.text.contains("DNS answer: elsewhere.org. MX 10 mx.elsewhere.org.") })
        #expect(!sim.hopLines.contains { $0.host == "mx.domain.com" })
        #expect(sim.stores["mx.domain.com"]?.deliveredCount ?? 0 == 0)
    }

    @Test func aDomainWithoutMXOrABouncesAsHostNotFound() throws {
        var sim = Simulation()
        sim.connect()
        _ = Self.run(&sim, Self.submit + Self.message(to: "x@nowhere.invalid"))
        _ = Self.settle(&sim)
        let dsn = try #require(sim.mailbox("alice@example.com").first).message
        #expect(dsn.body.contains("Status: 5.4.4"))
        #expect(dsn.body.contains { $0.contains("Host or domain name not found") })
        #expect(!dsn.body.contains { $0.hasPrefix("Remote-MTA:") })
        #expect(!sim.hops.contains { _ in true })
    }

    @Test func oneMessageToTwoDomainsMakesTwoTrips() throws {
        var sim = Simulation()
        sim.connect()
        _ = Self.run(&sim, Self.submit + ["RCPT TO:<bob@domain.com>"] + Self.message(to: "someone@elsewhere.org"))
        _ = Self.settle(&sim)
        #expect(sim.mailbox("bob@domain.com").count == 1)
        #expect(sim.mailbox("someone@elsewhere.org").count == 1)
        #expect(Set(sim.hops.map(\.host)) == ["mx.domain.com", "mx.elsewhere.org"])
    }

    @Test func mailToAliceHerselfIsDeliveredLocallyWithoutDNS() throws {
        var sim = Simulation()
        sim.connect()
        _ = Self.run(&sim, Self.submit + Self.message(to: "alice@example.com"))
        _ = Self.settle(&sim)
        let alice = sim.mailbox("alice@example.com")
        #expect(alice.map(\.host) == ["smtp.example.com"])
        #expect(alice.first?.isBounce == false)
        #expect(sim.hops.isEmpty && sim.hopLines.isEmpty)
    }

    @Test func theMXCanBeReachedDirectlyOnPort25() throws {
        var sim = Simulation()
        let unknown = sim.connect(to: "mx.nowhere.test")
        #expect(!unknown)
        let known = sim.connect(to: "mx.domain.com")
        #expect(known)
        #expect(sim.host.port == 25)
        let out = Self.run(&sim, ["EHLO client.example.com", "MAIL FROM:<alice@example.com>",
                                  "RCPT TO:<nobody@domain.com>", "RCPT TO:<carol@domain.com>", "RCPT TO:<dave@domain.com>",
                                  "RCPT TO:<robert@domain.com>", "RCPT TO:<someone@elsewhere.org>", "RCPT TO:<bob@domain.com>",
                                  "DATA", "Subject: direct", "", "hi", ".", "QUIT"])
        _ = Self.settle(&sim)
        let greeting = out.first { if case .session(.reply(let r, .greeting)) = $0 { return r.wireLines[0].hasPrefix("220 mx.domain.com") }; return false }
        #expect(greeting != nil)
        #expect(Self.codes(out) == [220, 250, 250, 550, 552, 450, 251, 554, 250, 354, 250, 221])
        #expect(sim.mailbox("bob@domain.com").map(\.host) == ["mx.domain.com"])
        // One hop only: Received: from the learner's client, straight into the MX.
        let received = try #require(sim.mailbox("bob@domain.com").first).message.headers.filter { $0.hasPrefix("Received:") }
        #expect(received.count == 1)
    }

    @Test func sameInputsAndTicksGiveTheSameJourney() {
        func run() -> ([FlowEvent], [HopLine], [Timed<String>], [Arrival]) {
            var sim = Simulation()
            sim.connect()
            while sim.isAwaitingServer { _ = sim.advanceAll(by: 1) }  // the greeting comes first
            var flows: [FlowEvent] = []
            for line in Self.submit + ["RCPT TO:<nobody@domain.com>", "RCPT TO:<dave@domain.com>"] + Self.message(to: "bob@domain.com") {
                // A client sends nothing while a reply or the TLS handshake is still on its way.
                while sim.isAwaitingReply { _ = sim.advanceAll(by: 1); flows += sim.flows.filter { $0.start == sim.tick } }
                sim.send(line)
                for _ in 0..<90 { _ = sim.advanceAll(by: 1); flows += sim.flows.filter { $0.start == sim.tick } }
            }
            while sim.isBusy { _ = sim.advanceAll(by: 1); flows += sim.flows.filter { $0.start == sim.tick } }
            return (flows, sim.hopLines, sim.captions, sim.arrivals)
        }
        let a = run(), b = run()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        #expect(a.2 == b.2)
        #expect(a.3 == b.3)
        #expect(a.3.count == 3)  // Bob, Dave after the retry, and Alice's bounce for nobody
    }

    @Test func dnsResolutionFollowsRFC5321Section5_1() {
        let zone = DNSZone([
            DNSRecord("multi.test", .mx(preference: 20, exchange: "backup.multi.test")),
            DNSRecord("multi.test", .mx(preference: 5, exchange: "main.multi.test")),
            DNSRecord("main.multi.test", .a("192.0.2.1")),
            DNSRecord("backup.multi.test", .a("192.0.2.2")),
            DNSRecord("plain.test", .a("192.0.2.3")),
            DNSRecord("dangling.test", .mx(preference: 10, exchange: "gone.dangling.test")),
        ])
        #expect(zone.resolveMail(for: "multi.test") == .hosts([("main.multi.test", "192.0.2.1"), ("backup.multi.test", "192.0.2.2")], implicit: false))
        #expect(zone.resolveMail(for: "PLAIN.test") == .hosts([("plain.test", "192.0.2.3")], implicit: true))
        #expect(zone.resolveMail(for: "dangling.test") == .notFound)
        #expect(zone.resolveMail(for: "nowhere.test") == .notFound)
        #expect(MailNetwork.standard.mailHost(forDomain: "domain.com")?.name == "mx.domain.com")
    }

    @Test func theCaptionAlwaysSaysSomethingOnceTheStoryHasBegun() {
        var sim = Simulation()
        #expect(sim.currentCaption == nil)
        sim.connect()
        var n = 0
        while sim.isAwaitingServer { _ = sim.advanceAll(by: 1); if sim.currentCaption == nil { n += 1 } }
        for line in Self.submit + Self.message(to: "nobody@domain.com") {
            while sim.isAwaitingReply { _ = sim.advanceAll(by: 1); if sim.currentCaption == nil { n += 1 } }
            sim.send(line)
            for _ in 0..<80 { _ = sim.advanceAll(by: 1); if sim.currentCaption == nil { n += 1 } }
        }
        while sim.isBusy { _ = sim.advanceAll(by: 1); if sim.currentCaption == nil { n += 1 } }
        #expect(n == 0)
        #expect(sim.currentCaption?.contains("bounce") == true || sim.currentCaption?.contains("Alice's mailbox") == true)
    }
}

@Suite("The world map")
struct WorldMapTests {
    @Test func theMapShowsEveryServerRecordAndMailbox() {
        let map = WorldMap.render(MailNetwork.standard)
        for host in ["smtp.example.com", "mx.domain.com", "mx.elsewhere.org"] { #expect(map.contains("Server   \(host)")) }
        #expect(map.contains("domain.com.  MX 10 mx.domain.com."))
        #expect(map.contains("mx.domain.com.  A 198.51.100.25"))
        for address in ["alice@example.com", "bob@domain.com", "carol@domain.com", "dave@domain.com", "robert@domain.com",
                        "someone@elsewhere.org"] {
            #expect(map.contains(address))
        }
        #expect(map.contains("5.4.4 Host or domain name not found"))
        #expect(map.contains("550 5.1.1"))
    }
}
