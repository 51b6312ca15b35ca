import Testing
@testable import SMTPCore

@Suite("Tick-driven simulation")
struct SimulationTests {
    /// Advances until idle, collecting the replies that became visible with the tick they appeared at.
    static func drain(_ sim: inout Simulation, limit: Int = 10_000) -> [(tick: Int, reply: Reply)] {
        var seen: [(Int, Reply)] = []
        var guardTicks = 0
        while sim.isBusy && guardTicks < limit {
            for case .reply(let r, _) in sim.advance(by: 1) { seen.append((sim.tick, r)) }
            guardTicks += 1
        }
        return seen
    }

    @Test func greetingArrivesAfterTheConnectionAndProcessingLatency() {
        var sim = Simulation()
        sim.connect()
        #expect(sim.flows.map(\.kind) == [.connecting, .reply(220)])
        let l = sim.latency
        #expect(sim.advance(by: l.transit + l.processing + l.transit - 1).isEmpty)
        let visible = sim.advance(by: 1)
        #expect(replies(visible).map(\.code) == [220])
        #expect(!sim.isBusy)
    }

    @Test func aCommandTravelsThenItsReplyComesBack() {
        var sim = Simulation()
        sim.connect()
        _ = Self.drain(&sim)
        let t0 = sim.tick
        sim.send("EHLO client.example.com")
        let kinds = sim.flows.filter { $0.start >= t0 }.map(\.kind)
        #expect(kinds == [.composing, .command("EHLO"), .processing, .reply(250)])
        let command = sim.flows.first { $0.kind == .command("EHLO") }!
        #expect(command.from == .sender && command.to == .server)
        #expect(command.progress(at: command.start + (command.end - command.start) / 2) == 0.5)
        let arrivals = Self.drain(&sim)
        #expect(arrivals.map(\.reply.code) == [250])
        let l = sim.latency
        #expect(arrivals[0].tick == t0 + l.composing + l.transit + l.processing + l.transit)
    }

    @Test("smtpd_error_sleep_time: past the soft error limit a reply arrives 60 ticks (1 s) later")
    func slowedRepliesArriveLater() throws {
        var sim = Simulation(profile: .mx)
        sim.connect()
        _ = Self.drain(&sim)
        sim.send("EHLO client.example.com")
        _ = Self.drain(&sim)
        func roundTrip() -> Int? {
            let t0 = sim.tick
            sim.send("BOGUS")
            return Self.drain(&sim).first.map { $0.tick - t0 }
        }
        let normal = try #require(roundTrip())
        for _ in 0..<8 { _ = roundTrip() }
        #expect(roundTrip() == normal)          // the 10th error's own reply is not yet slowed
        #expect(roundTrip() == normal + 60)     // from then on every reply waits smtpd_error_sleep_time
    }

    @Test func sameInputsGiveSameEvents() {
        func run() -> ([FlowEvent], [String]) {
            var sim = Simulation()
            var events: [FlowEvent] = [], lines: [String] = []
            sim.connect()
            for line in SessionPreamble.recipientAdded.clientLines + ["DATA", "Subject: hi", "", "body", ".", "QUIT"] {
                sim.send(line)
                events += sim.flows
                for _ in 0..<7 { lines += wire(replies(sim.advance(by: 1))) }
            }
            while sim.isBusy { lines += wire(replies(sim.advance(by: 1))) }
            return (events, lines)
        }
        let (a, b) = (run(), run())
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(a.1.last == "221 2.0.0 Bye")
    }

    @Test func deliveryTravelsToTheRecipientAndArrives() {
        var sim = Simulation()
        sim.connect()
        for line in SessionPreamble.recipientAdded.clientLines + ["DATA", "hello", "."] { sim.send(line) }
        #expect(sim.flows.contains { if case .delivery = $0.kind { return $0.from == .server && $0.to == .recipient }; return false })
        #expect(sim.arrived.isEmpty)
        _ = Self.drain(&sim)
        #expect(sim.arrived.count == 1)
        #expect(sim.store.inbox("bob@domain.com").count == 1)
    }

    @Test func refusedRecipientBouncesBackToTheSender() {
        var sim = Simulation()
        sim.connect()
        for line in SessionPreamble.mailStarted.clientLines + ["RCPT TO:<nobody@domain.com>"] { sim.send(line) }
        #expect(sim.flows.contains { $0.kind == .bounce(550) && $0.from == .server && $0.to == .sender })
    }

    @Test func startTLSAddsAHandshakeAndTheSessionIsSecured() {
        var sim = Simulation()
        sim.connect()
        sim.send("EHLO client.example.com")
        sim.send("STARTTLS")
        #expect(sim.flows.contains { $0.kind == .tlsHandshake })
        var sawTLS = false
        while sim.isBusy { if sim.advance(by: 1).contains(.tlsStarted) { sawTLS = true } }
        #expect(sawTLS && sim.session?.tlsActive == true)
    }

    @Test func idleWhenNothingMoves() {
        var sim = Simulation()
        #expect(!sim.isBusy && sim.nextChangeTick == nil)
        sim.connect()
        #expect(sim.nextChangeTick != nil)
        _ = Self.drain(&sim)
        #expect(!sim.isBusy)
    }

    @Test func greylistingIsRememberedAcrossConnections() {
        var sim = Simulation()
        sim.connect()
        for line in SessionPreamble.mailStarted.clientLines + ["RCPT TO:<dave@domain.com>"] { sim.send(line) }
        #expect(Self.drain(&sim).last?.reply.code == 450)
        sim.disconnect()
        _ = sim.advance(by: 400)
        sim.connect()
        for line in SessionPreamble.mailStarted.clientLines + ["RCPT TO:<dave@domain.com>"] { sim.send(line) }
        #expect(Self.drain(&sim).last?.reply.code == 250)
    }
}
