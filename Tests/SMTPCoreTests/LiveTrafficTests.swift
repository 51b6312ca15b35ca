// A real client's session replayed in the diagram (`Simulation.mirror`): the engine runs for real elsewhere and
// only its exchanges arrive here. They must be drawn at the learner's travel times, in order, and a message the
// real server accepted must go on through DNS and the relay into Bob's mailbox, as the learner's would.
import Foundation
import Testing
@testable import SMTPCore

@Suite("Live traffic in the diagram")
struct LiveTrafficTests {
    /// Runs a real session of the submission server (as the listener does) and mirrors each exchange.
    static func mirrorSession(_ sim: inout Simulation, _ lines: [String], pipelinedFrom: Int = .max)
        -> [(line: String?, lineAt: Int, outputs: [SessionOutput], at: [Int])] {
        var session = ServerSession(world: MailNetwork.standard.submissionHost.world, profile: .submission, seed: 42)
        session.storesMessages = false
        var log: [(line: String?, lineAt: Int, outputs: [SessionOutput], at: [Int])] = []
        _ = sim.mirrorConnect(peer: "127.0.0.1:40000")
        let greeting = session.start()
        let g = sim.mirror(line: nil, wasInData: false, envelopeOpen: false, outputs: greeting)
        log.append((nil, g.lineAt, greeting, g.outputsAt))
        for (i, line) in lines.enumerated() {
            let before = session.phase
            let outputs = session.receiveLine(line)
            let t = sim.mirror(line: line, wasInData: before == .data, envelopeOpen: before == .mail || before == .rcpt,
                               pipelined: i >= pipelinedFrom, outputs: outputs)
            log.append((line, t.lineAt, outputs, t.outputsAt))
        }
        return log
    }

    static let lines = SessionPreamble.authenticated.clientLines + ["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>",
        "DATA", "From: Alice <alice@example.com>", "To: <bob@domain.com>", "Subject: Real lunch", "", "Noon?", ".", "QUIT"]

    @Test func aRealSessionIsDrawnInOrderAndItsMessageReachesBobsMailbox() throws {
        var sim = Simulation()
        let log = Self.mirrorSession(&sim, Self.lines)
        // Every reply is visible after the line that drew it left, and no earlier than the reply before it.
        var lastReply = Int.min
        for entry in log {
            for at in entry.at {
                #expect(at > entry.lineAt, "\(entry.line ?? "greeting") answered at \(at), before it left at \(entry.lineAt)")
                #expect(at >= lastReply)
                lastReply = at
            }
        }
        // A client that waits for each reply is drawn waiting: each command leaves after the previous reply arrived.
        for (previous, next) in zip(log, log.dropFirst()) where next.line.map({ !$0.isEmpty }) == true {
            guard let replied = previous.at.last, !(previous.outputs.isEmpty) else { continue }
            #expect(next.lineAt >= replied - sim.latency.pipelineGap, "\(next.line ?? "") left at \(next.lineAt), before the reply at \(replied)")
        }
        // The real server's message goes on through the simulated world: DNS, relay, Bob's mailbox.
        _ = JourneyTests.settle(&sim)
        let bob = sim.mailbox("bob@domain.com")
        #expect(bob.count == 1)
        #expect(try #require(bob.first).message.header("Subject") == "Real lunch")
        #expect(sim.hops.contains { $0.host == "mx.domain.com" })
        #expect(sim.stages.contains { $0.value == .delivered(mailbox: "bob@domain.com", host: "mx.domain.com") })
        // The learner's own transcript gets nothing from a real client's session.
        #expect(!sim.isConnected)
    }

    @Test func pipelinedLinesAreNotHeldBackForReplies() throws {
        // The same session, its envelope pipelined (MAIL, RCPT, DATA in one flight, RFC 2920).
        var waiting = Simulation(), pipelining = Simulation()
        let first = SessionPreamble.authenticated.clientLines.count
        let a = Self.mirrorSession(&waiting, Self.lines)
        let b = Self.mirrorSession(&pipelining, Self.lines, pipelinedFrom: first + 1)
        let rcptWaiting = try #require(a.first { $0.line == "RCPT TO:<bob@domain.com>" })
        let rcptPipelined = try #require(b.first { $0.line == "RCPT TO:<bob@domain.com>" })
        #expect(rcptPipelined.lineAt < rcptWaiting.lineAt)
    }

    @Test func aTLSHandshakeIsDrawnAndTheSameExchangesGiveTheSameDrawing() {
        var one = Simulation(), two = Simulation()
        let a = Self.mirrorSession(&one, Self.lines)
        let b = Self.mirrorSession(&two, Self.lines)
        #expect(a.map(\.at) == b.map(\.at))
        #expect(one.flows == two.flows)
        #expect(one.flows.contains { $0.kind == .tlsHandshake && $0.from == .sender })
        #expect(one.captions.contains { $0.value.contains("A real program on this computer (127.0.0.1:40000)") })
    }

    /// The listener runs in another process (smtp-tui-net) and sends each report as one line of JSON: every kind of
    /// report and output comes back equal, octets that are not UTF-8 included, and no report spans two lines.
    @Test func reportsSurviveTheTripFromTheListenerProcessAsJSONLines() throws {
        let dsn = DSNEnvelope(ret: .headers, envid: "E1", recipients: [
            DSNRecipient(address: "bob@domain.com", notify: [.failure, .delay], orcpt: DSNOriginalRecipient(addressType: "rfc822", address: "bob@domain.com")),
        ])
        let message = StoredMessage(id: "4XyZ", envelopeFrom: "", recipients: ["bob@domain.com"],
                                    headers: ["Received: from x\n\tby y", "Subject: é"], headerBytes: [[0x52, 0xFF, 0x0A], [0x53]],
                                    bodyText: [0, 13, 10, 0xFF], bodyIsEmpty: false, receivedAtTick: 42, size: 99,
                                    rawContent: [0, 1, 0xFF, 13, 10], addedHeaderCount: 1, dsn: dsn, longestLine: 7)
        let events: [LiveEvent] = [
            .opened(connection: 1, peer: "127.0.0.1:5555"),
            .exchange(connection: 1, line: nil, wasInData: false, envelopeOpen: false, pipelined: false,
                      outputs: [.reply(Reply(220, nil, "mx.domain.com ESMTP"), cause: .greeting)]),
            .exchange(connection: 1, line: "RCPT TO:<bob@domain.com>\u{1}", wasInData: true, envelopeOpen: true, pipelined: true,
                      outputs: [.reply(Reply(250, EnhancedStatusCode(2, 1, 5), ["first", "second"]), cause: .command(verb: "RCPT")),
                                .reply(Reply(354, nil, "go on"), cause: .authResponse), .tlsStarted, .authenticated(user: "alice"),
                                .delivered(message), .reply(Reply(421, EnhancedStatusCode(4, 4, 2), "bye"), cause: .serverInitiated),
                                .reply(Reply(250, nil, "queued"), cause: .messageEnd), .closed]),
            .closed(connection: 1),
        ]
        for event in events {
            let line = try JSONEncoder().encode(event)
            #expect(!line.contains(0x0A), "a report over two lines: \(String(decoding: line, as: UTF8.self))")
            #expect(try JSONDecoder().decode(LiveEvent.self, from: line) == event)
        }
        let failures = [DirectedFailure(verb: "RCPT", occurrence: 2, reply: Reply(452, EnhancedStatusCode(4, 5, 3), "too many"))]
        #expect(try JSONDecoder().decode([DirectedFailure].self, from: JSONEncoder().encode(failures)) == failures)
    }
}
