// RFC 2920 §3.1 as the engine enforces it (Postfix 3.9's smtpd_forbid_unauth_pipelining): a command that must end
// a group, followed by input that was already waiting, gets 554 5.5.0 instead of its reply and the session ends;
// so does input before the greeting. The simulation, the story loader and the stories obey the same table.
import Testing
@testable import SMTPCore

@Suite("Pipelining: RFC 2920 in the engine, the simulation and the stories")
struct PipeliningRuleTests {
    static let synchronization = "554 5.5.0 Error: SMTP protocol synchronization"

    /// A session after its greeting, optionally after lines sent one read at a time.
    func session(_ profile: ServerProfile = .mx, after lines: [String] = []) throws -> ServerSession {
        var s = ServerSession(profile: profile)
        _ = s.start()
        for line in lines {
            let r = replies(s.receiveLine(line))
            try #require(r.allSatisfy { $0.code < 400 }, "\(line): \(r)")
        }
        return s
    }

    func wireOf(_ outputs: [SessionOutput]) -> [String] { wire(replies(outputs)) }

    @Test func ehloWithMailBehindItGets554InsteadOfTheEhloReplyAndTheSessionEnds() throws {
        var s = try session()
        let out = s.receive(Array("EHLO x\r\nMAIL FROM:<a@example.com>\r\n".utf8))
        #expect(wireOf(out) == [Self.synchronization])
        #expect(out.last == .closed)
        #expect(s.isClosed)
        #expect(s.synchronizationViolation?.rule == .endsGroup(verb: "EHLO"))
        #expect(s.synchronizationViolation?.early == Array("MAIL FROM:<a@example.com>\r\n".utf8))
        #expect(s.clientName == nil, "EHLO is not run when input was waiting behind it")
    }

    @Test func noopThenMailInOneWriteAfterANormalEhlo() throws {
        var s = try session(after: ["EHLO x"])
        #expect(wireOf(s.receive(Array("NOOP\r\nMAIL FROM:<a@example.com>\r\n".utf8))) == [Self.synchronization])
        #expect(s.isClosed)
    }

    @Test func mailRcptDataAndTheMessageInOneWrite() throws {
        var s = try session(after: ["EHLO x"])
        let out = s.receive(Array("MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\nSubject: hi\r\n\r\nhi\r\n.\r\n".utf8))
        #expect(replies(out).map(\.code) == [250, 250, 554])
        #expect(wireOf(out).last == Self.synchronization)
        #expect(!out.contains { if case .delivered = $0 { return true }; return false })
    }

    @Test func halfALineWaitingAlsoCounts() throws {
        var s = try session()
        #expect(wireOf(s.receive(Array("EHLO x\r\nMA".utf8))) == [Self.synchronization])
    }

    @Test func inputBeforeTheGreetingGets554InsteadOfThe220() {
        var s = ServerSession(profile: .mx)
        let out = s.start(clientSpokeFirst: Array("EHLO x\r\n".utf8))
        #expect(wireOf(out) == [Self.synchronization])
        #expect(s.isClosed)
        #expect(s.synchronizationViolation?.rule == .greeting)
    }

    @Test func legalFlightsAreAnsweredInOrder() throws {
        var s = try session()
        #expect(replies(s.receive(Array("EHLO x\r\n".utf8))).map(\.code) == [250])
        #expect(s.checkedWait == .endsGroup(verb: "EHLO"))
        #expect(replies(s.receive(Array("MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nRCPT TO:<postmaster@domain.com>\r\nDATA\r\n".utf8))).map(\.code)
                == [250, 250, 250, 354])
        // RFC 2920 §3.1 lets the message end a group's first "command" and commands follow its dot.
        let end = s.receive(Array("Subject: hi\r\n\r\nhi\r\n.\r\nQUIT\r\n".utf8))
        #expect(replies(end).map(\.code) == [250, 221])
        #expect(end.contains { if case .delivered = $0 { return true }; return false })
    }

    @Test func withoutPipeliningOfferedEveryCommandWaits() throws {
        // After HELO no extension is on, so MAIL + RCPT in one write is already too much (Postfix: not ESMTP).
        var s = try session(after: ["HELO x"])
        #expect(wireOf(s.receive(Array("MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\n".utf8))) == [Self.synchronization])
        #expect(s.synchronizationViolation?.rule == .notOffered(verb: "MAIL"))
        // Before any EHLO, too.
        var fresh = try session()
        #expect(wireOf(fresh.receive(Array("RSET\r\nNOOP\r\n".utf8))) == [Self.synchronization])
    }

    @Test func plaintextBehindStarttlsIsThrownAwayNotAnsweredWith554() throws {
        // RFC 3207 §4.2 (and Postfix): the server discards it; the TLS session starts clean.
        var s = try session(.submission, after: ["EHLO x"])
        let out = s.receive(Array("STARTTLS\r\nNOOP\r\n".utf8))
        #expect(replies(out).map(\.code) == [220])
        #expect(out.contains(.tlsStarted))
        #expect(!s.isClosed)
        #expect(replies(s.receiveLine("EHLO x")).map(\.code) == [250])
    }

    @Test func unknownCommandsAreNeverChecked() throws {
        var s = try session(after: ["EHLO x"])
        #expect(replies(s.receive(Array("FOO\r\nNOOP\r\n".utf8))).map(\.code) == [500, 250])
    }

    @Test func theSameBytesOneLineAtATimeAreFine() throws {
        var s = try session()
        for line in ["EHLO x", "NOOP", "MAIL FROM:<a@example.com>", "RCPT TO:<bob@domain.com>", "DATA"] {
            #expect(replies(s.receiveLine(line)).allSatisfy { $0.code < 400 }, "\(line)")
        }
    }

    @Test func switchedOffTheEngineReadsEverything() throws {
        var s = try session()
        s.enforcesPipelining = false
        #expect(replies(s.receive(Array("EHLO x\r\nMAIL FROM:<a@example.com>\r\n".utf8))).map(\.code) == [250, 250])
    }

    // MARK: - The table a client obeys

    @Test func theClientsTableCitesItsRFCs() {
        func after(_ line: String, _ phase: SessionPhase = .greeted, offered: Bool = true) -> PipeliningRule? {
            PipeliningRule.after(line, phase: phase, pipeliningOffered: offered)
        }
        for verb in ["EHLO x", "HELO x", "DATA", "VRFY bob", "EXPN list", "TURN", "QUIT", "NOOP"] {
            #expect(after(verb)?.citation == "RFC 2920 §3.1", "\(verb)")
        }
        #expect(after("STARTTLS") == .endsGroup(verb: "STARTTLS"))
        #expect(after("STARTTLS")?.citation == "RFC 3207 §4")
        #expect(after("AUTH LOGIN")?.citation == "RFC 4954 §4")
        #expect(after("AUTH PLAIN") == .endsGroup(verb: "AUTH"))
        // RFC 4954 §4's exception: PLAIN carrying its credentials completes in one round trip.
        #expect(after("AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=") == nil)
        #expect(after("MAIL FROM:<a@example.com>") == nil)
        #expect(after("RCPT TO:<b@example.com>") == nil)
        #expect(after("RSET") == nil)
        #expect(after("MAIL FROM:<a@example.com>", offered: false) == .notOffered(verb: "MAIL"))
        #expect(after("dXNlcg==", .auth) == .authResponse)
        #expect(after("Subject: hi", .data) == nil)
        #expect(after(".", .data) == nil)
        #expect(after(".", .data, offered: false) != nil)
    }

    // MARK: - The simulation: lines that reach the server too early

    func settle(_ sim: inout Simulation) -> [SessionOutput] {
        var seen: [SessionOutput] = []
        var n = 0
        while sim.isAwaitingServer && n < 10_000 { seen += sim.advance(by: 1); n += 1 }
        return seen
    }

    func notes(_ sim: inout Simulation) -> (outputs: [SessionOutput], notes: [String]) {
        var seen: [SimulationOutput] = []
        var n = 0
        while sim.isBusy && n < 10_000 { seen += sim.advanceAll(by: 1); n += 1 }
        return (seen.compactMap { if case .session(let o) = $0 { return o }; return nil },
                seen.compactMap { if case .note(let t) = $0 { return t }; return nil })
    }

    @Test func inTheSimulationEhloBeforeTheGreetingGets554() {
        var sim = Simulation()
        sim.connect(to: "mx.domain.com")
        sim.send("EHLO client.example.com")
        let (outputs, notes) = notes(&sim)
        #expect(wire(replies(outputs)) == [Self.synchronization], "the 220 is never sent")
        #expect(!sim.isConnected)
        #expect(notes.contains { $0.contains("EHLO client.example.com") && $0.contains("220 greeting") })
    }

    @Test func inTheSimulationMailRightBehindEhloGets554() {
        var sim = Simulation()
        sim.connect(to: "mx.domain.com")
        _ = settle(&sim)
        sim.send("EHLO client.example.com")
        sim.send("MAIL FROM:<alice@example.com>")
        let (outputs, notes) = notes(&sim)
        #expect(wire(replies(outputs)) == [Self.synchronization])
        #expect(notes.contains { $0.contains("MAIL FROM:<alice@example.com>") && $0.contains("RFC 2920 §3.1") })
        #expect(!sim.flows.contains { if case .reply(250) = $0.kind { return true }; return false },
                "the EHLO reply that was never sent is not drawn either")
    }

    @Test func inTheSimulationALineSentAfterTheReplyLeftIsAnswered() {
        var sim = Simulation()
        sim.connect(to: "mx.domain.com")
        _ = settle(&sim)
        sim.send("EHLO client.example.com")
        // The server decides its answer transit + processing after the line leaves; a line sent later than that
        // (but before the reply arrives) cannot be seen early: it is answered, with a note that it did not wait.
        _ = sim.advance(by: sim.latency.processing + 2)
        sim.send("MAIL FROM:<alice@example.com>")
        let (outputs, notes) = notes(&sim)
        #expect(replies(outputs).map(\.code) == [250, 250])
        #expect(notes.contains { $0.contains("left before the reply") })
    }

    @Test func inTheSimulationWaitingForEachReplyIsQuiet() {
        var sim = Simulation()
        sim.connect(to: "mx.domain.com")
        var codes: [Int] = replies(settle(&sim)).map(\.code)
        for line in ["EHLO client.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "DATA"] {
            sim.send(line)
            codes += replies(settle(&sim)).map(\.code)
        }
        #expect(codes == [220, 250, 250, 250, 354])
    }

    // MARK: - The story loader

    func parse(_ body: String) throws -> DemoScenario {
        try DemoScenarioParser.parse("title: t\n" + body, name: "t", file: "t.scenario")
    }

    func refusal(_ body: String) -> DemoScenarioError? {
        do { _ = try parse(body); return nil } catch let e as DemoScenarioError { return e } catch { return nil }
    }

    @Test func aStoryThatPipelinesBehindEhloIsRefusedAtTheLineThatCameTooEarly() throws {
        let e = try #require(refusal("""
            step: connect mx.domain.com
            caption: c
            step: EHLO x
            # a comment in between
            also: MAIL FROM:<a@example.com>
            caption: c
            """))
        #expect(e.line == 6)
        #expect(e.reason.contains("MAIL FROM:<a@example.com>") && e.reason.contains("RFC 2920 §3.1"), "\(e)")
        #expect(e.description.hasPrefix("t.scenario:6: "))
    }

    @Test func otherFlightsAStoryMayNotSend() throws {
        #expect(try #require(refusal("step: connect\nalso: EHLO x\ncaption: c\n")).reason.contains("220 greeting"))
        let data = try #require(refusal("step: connect mx.domain.com\ncaption: c\nstep: EHLO x\ncaption: c\nstep: MAIL FROM:<a@example.com>\nalso: RCPT TO:<bob@domain.com>\nalso: DATA\nalso: Subject: hi\ncaption: c\n"))
        #expect(data.line == 9 && data.reason.contains("354"), "\(data)")
        let tls = try #require(refusal("step: connect\ncaption: c\nstep: EHLO x\ncaption: c\nstep: STARTTLS\nalso: NOOP\ncaption: c\n"))
        #expect(tls.line == 7 && tls.reason.contains("RFC 3207 §4"), "\(tls)")
        let helo = try #require(refusal("step: connect mx.domain.com\ncaption: c\nstep: HELO x\ncaption: c\nstep: MAIL FROM:<a@example.com>\nalso: RCPT TO:<bob@domain.com>\ncaption: c\n"))
        #expect(helo.line == 7 && helo.reason.contains("PIPELINING"), "\(helo)")
        let login = try #require(refusal("step: connect\ncaption: c\nstep: EHLO x\ncaption: c\nstep: STARTTLS\ncaption: c\nstep: EHLO x\ncaption: c\nstep: AUTH LOGIN\nalso: YWxpY2VAZXhhbXBsZS5jb20=\ncaption: c\n"))
        #expect(login.line == 11 && login.reason.contains("RFC 4954 §4"), "\(login)")
    }

    @Test func aStoryMayShowTheHangUpButOnlyWhereTheServerHangsUp() throws {
        let shown = try parse("step: connect mx.domain.com\ncaption: c\nstep: EHLO x\nalso: MAIL FROM:<a@example.com>\nexpect: 554\ncaption: c\n")
        let record = DemoPlayer.play(shown)
        #expect(record.failures.isEmpty, "\(record.failures)")
        // STARTTLS + NOOP: the server throws the NOOP away instead, so a story cannot claim a 554 there.
        let e = try #require(refusal("step: connect\ncaption: c\nstep: EHLO x\ncaption: c\nstep: STARTTLS\nalso: NOOP\nexpect: 554\ncaption: c\n"))
        #expect(e.reason.contains("does not hang up"), "\(e)")
    }

    @Test func legalFlightsLoad() throws {
        _ = try parse("""
            step: connect mx.domain.com
            caption: c
            step: EHLO x
            caption: c
            step: MAIL FROM:<a@example.com>
            also: RCPT TO:<bob@domain.com>
            also: DATA
            caption: c
            step: Subject: hi
            also:
            also: text
            also: .
            also: QUIT
            caption: c
            """)
    }

    // MARK: - The built-in stories, read as an expert would (independent of the table above)

    static let mustEndAFlight: Set<String> = ["EHLO", "HELO", "DATA", "STARTTLS", "AUTH", "QUIT", "NOOP", "VRFY"]

    @Test(arguments: BuiltinScenarios.all.map(\.name))
    func noBuiltInStoryTalksOverAReply(_ name: String) throws {
        let text = try #require(BuiltinScenarios.all.first { $0.name == name }).text
        let record = DemoPlayer.play(try DemoScenarioParser.parse(text, name: name, file: name + ".scenario"))
        var lastReply = 0
        for step in record.steps {
            var lines = step.lines[...]
            // Lines leave before their replies arrive: what the client sent in one flight comes first.
            var flight: [DemoStepRecord.Line] = []
            while let first = lines.first, first.isSent { flight.append(first); lines = lines.dropFirst() }
            for (i, line) in flight.enumerated() where i + 1 < flight.count {
                guard case .client(let text) = line else { continue }
                let verb = String(text.split(separator: " ").first ?? "").uppercased()
                #expect(!Self.mustEndAFlight.contains(verb) || step.step.expect == 554,
                        "\(name): \(flight[i + 1]) follows \(text) before its reply")
            }
            if case .local = flight.first, flight.count > 1 {
                Issue.record("\(name): \(flight[1]) is sent with `connect`, before the greeting")
            }
            if flight.contains(where: { if case .data = $0 { return true }; return false }) {
                #expect(lastReply == 354, "\(name): message text without a 354 before it (step at line \(step.step.line))")
            }
            for case .server(let code, _) in step.lines { lastReply = code }
        }
    }
}

extension DemoStepRecord.Line {
    /// A line the client side produced (typed or a local command), as opposed to what came back.
    var isSent: Bool {
        switch self {
        case .client, .data, .local: return true
        case .server, .note: return false
        }
    }
}
