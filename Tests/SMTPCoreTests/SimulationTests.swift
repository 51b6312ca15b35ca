import Testing
@testable import SMTPCore

/// The travel times the README documents ("Simulated time"), in ticks: written here, never read from
/// `sim.latency`, so a change of the simulation's delays fails these tests until the README is changed too.
enum DocumentedTicks {
    static let connect = 24, eachWay = 24, processing = 12, delivery = 45, tlsHandshake = 36, composing = 6
}

@Suite("Tick-driven simulation", .timeLimit(.minutes(2)))
struct SimulationTests {
    typealias D = DocumentedTicks

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

    /// Sends each line once the client has seen every reply so far, as RFC 2920 asks of a client that does not
    /// pipeline (the lines' replies may still be travelling when this returns).
    static func sendWaiting(_ sim: inout Simulation, _ lines: [String]) {
        for line in lines {
            var n = 0
            while sim.isAwaitingServer && n < 10_000 { _ = sim.advance(by: 1); n += 1 }
            sim.send(line)
        }
    }

    @Test func greetingArrivesAfterTheConnectionAndProcessingLatency() throws {
        var sim = Simulation()
        sim.connect()
        #expect(sim.flows.map(\.kind) == [.connecting, .reply(220)])
        let connecting = try #require(sim.flows.first { $0.kind == .connecting })
        #expect(connecting.end - connecting.start == D.connect)
        #expect(sim.advance(by: D.connect + D.processing + D.eachWay - 1).isEmpty)
        let visible = sim.advance(by: 1)
        #expect(replies(visible).map(\.code) == [220])
        #expect(!sim.isBusy)
    }

    @Test func aCommandTravelsThenItsReplyComesBack() throws {
        var sim = Simulation()
        sim.connect()
        _ = Self.drain(&sim)
        let t0 = sim.tick
        sim.send("EHLO client.example.com")
        let kinds = sim.flows.filter { $0.start >= t0 }.map(\.kind)
        #expect(kinds == [.composing, .command("EHLO"), .processing, .reply(250)])
        let command = try #require(sim.flows.first { $0.kind == .command("EHLO") })
        #expect(command.from == .sender && command.to == .server)
        #expect(command.progress(at: command.start + (command.end - command.start) / 2) == 0.5)
        // Each movement lasts its documented time.
        let lengths = sim.flows.filter { $0.start >= t0 }.map { $0.end - $0.start }
        #expect(lengths == [D.composing, D.eachWay, D.processing, D.eachWay])
        let arrivals = Self.drain(&sim)
        try #require(arrivals.map(\.reply.code) == [250])
        #expect(arrivals[0].tick == t0 + 66)  // composing 6 + each way 24 + processing 12 + each way 24
        #expect(arrivals[0].tick == t0 + D.composing + D.eachWay + D.processing + D.eachWay)
    }

    @Test("smtpd_error_sleep_time: past the soft error limit a reply arrives 60 ticks (1 s) later")
    func slowedRepliesArriveLater() throws {
        var sim = Simulation()
        sim.connect(to: "mx.domain.com")
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
                while sim.isAwaitingServer { lines += wire(replies(sim.advance(by: 1))) }
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

    @Test func deliveryTravelsToTheRecipientAndArrives() throws {
        // Straight to the MX on port 25: it puts the message into Bob's mailbox itself.
        var sim = Simulation()
        sim.connect(to: "mx.domain.com")
        Self.sendWaiting(&sim, ["EHLO client.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "DATA", "hello", "."])
        let delivery = try #require(sim.flows.first { if case .delivery = $0.kind { return true }; return false })
        #expect(delivery.from == .mx && delivery.to == .recipient)
        #expect(delivery.end - delivery.start == D.delivery)
        #expect(sim.arrived.isEmpty)
        // The message arrives exactly when the delivery movement ends, not a tick earlier.
        while sim.tick < delivery.end - 1 { _ = sim.advance(by: 1) }
        #expect(sim.arrived.isEmpty)
        _ = sim.advance(by: 1)
        #expect(sim.arrived.count == 1)
        _ = Self.drain(&sim)
        #expect(sim.arrived.count == 1)
        #expect(sim.store.inbox("bob@domain.com").count == 1)
    }

    @Test func refusedRecipientBouncesBackToTheSender() {
        var sim = Simulation()
        sim.connect(to: "mx.domain.com")
        Self.sendWaiting(&sim, ["EHLO client.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<nobody@domain.com>"])
        #expect(sim.flows.contains { $0.kind == .bounce(550) && $0.from == .mx && $0.to == .sender })
    }

    @Test func startTLSAddsAHandshakeAndTheSessionIsSecured() throws {
        var sim = Simulation()
        sim.connect()
        Self.sendWaiting(&sim, ["EHLO client.example.com", "STARTTLS"])
        let handshake = try #require(sim.flows.first { $0.kind == .tlsHandshake })
        #expect(handshake.end - handshake.start == D.tlsHandshake)
        var readyAt: Int?, tlsAt: Int?
        while sim.isBusy {
            let out = sim.advance(by: 1)
            if replies(out).map(\.code) == [220] { readyAt = sim.tick }
            if out.contains(.tlsStarted) { tlsAt = sim.tick }
        }
        let ready = try #require(readyAt, "220 Ready to start TLS never became visible")
        #expect(tlsAt == ready + D.tlsHandshake, "the handshake ends \(D.tlsHandshake) ticks after the 220")
        #expect(sim.session?.tlsActive == true)
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
        let lines = ["EHLO client.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<dave@domain.com>"]
        sim.connect(to: "mx.domain.com")
        Self.sendWaiting(&sim, lines)
        #expect(Self.drain(&sim).last?.reply.code == 450)
        sim.disconnect()
        _ = sim.advance(by: 400)
        sim.connect(to: "mx.domain.com")
        Self.sendWaiting(&sim, lines)
        #expect(Self.drain(&sim).last?.reply.code == 250)
    }
}
