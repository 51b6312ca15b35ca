// Live mode in `update` and `view`: reports from the listener become session tabs, their lines appear as the
// diagram delivers them, the learner's own session is never touched, and typing always returns to it.
import Testing
@testable import TUI
import SMTPCore

/// Plays a real submission session the way the listener's handler does and returns its reports.
enum LiveFeed {
    static let lines = SessionPreamble.authenticated.clientLines + ["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>",
        "DATA", "From: Alice <alice@example.com>", "To: <bob@domain.com>", "Subject: From a real program", "", "Noon?", ".", "QUIT"]

    static func events(connection: Int = 1, peer: String = "127.0.0.1:40000", lines: [String] = lines) -> [LiveEvent] {
        var session = ServerSession(world: World.standard, profile: .submission, seed: UInt64(connection))
        session.storesMessages = false
        var events: [LiveEvent] = [.opened(connection: connection, peer: peer)]
        events.append(.exchange(connection: connection, line: nil, wasInData: false, envelopeOpen: false, pipelined: false,
                                outputs: session.start()))
        for line in lines {
            let before = session.phase
            let outputs = session.receiveLine(line)
            events.append(.exchange(connection: connection, line: line, wasInData: before == .data,
                                    envelopeOpen: before == .mail || before == .rcpt, pipelined: false, outputs: outputs))
        }
        events.append(.closed(connection: connection))
        return events
    }

    static func liveState(size: Size = Size(width: 120, height: 36)) -> AppState {
        var s = AppState(size: size)
        s.live = LiveBoard(address: "127.0.0.1:2525")
        return s
    }
}

@Suite("Live mode: real clients' sessions", .timeLimit(.minutes(2)))
struct LiveTests {
    @Test func aRealSessionGetsATabAndItsLinesArriveWithTheAnimation() throws {
        var s = LiveFeed.liveState()
        let learnerBefore = s.transcript
        let events = LiveFeed.events()
        for e in events.prefix(3) { _ = App.update(&s, .live(e)) }   // connect, greeting, EHLO
        #expect(s.live?.watching == 1)
        // Nothing has travelled yet: the greeting is not on screen before its animation arrives.
        #expect(!s.shownTranscript.contains { $0.text.hasPrefix("220 ") })
        settle(&s)
        #expect(s.shownTranscript.contains { $0.text.hasPrefix("220 smtp.example.com ESMTP") })
        #expect(s.shownTranscript.contains { $0.kind == .you && $0.text == "EHLO client.example.com" })
        for e in events.dropFirst(3) { _ = App.update(&s, .live(e)) }
        settle(&s)
        let watched = try #require(s.live?.watched)
        #expect(watched.acceptedAt.count == 1)
        #expect(watched.tlsAt != nil)
        #expect(watched.isClosed(at: s.sim.tick))
        #expect(s.shownTranscript.contains { $0.text.hasPrefix("250 2.0.0 Ok: queued as") })
        // The learner's own transcript and session are untouched.
        #expect(s.transcript == learnerBefore)
        #expect(s.sim.session == nil)
        // The message went on into the simulated world, like the learner's.
        #expect(s.sim.mailbox("bob@domain.com").count == 1)
        let text = Frame.render(s).buffer.text
        #expect(text.contains("Real client"))
        #expect(text.contains("#1 127.0.0.1:40000"))
        #expect(text.contains("real client #1 127.0.0.1:40000 → 127.0.0.1:2525"))
    }

    @Test func theLinkIsDrawnEncryptedOnlyAfterTheRealHandshake() throws {
        var s = LiveFeed.liveState()
        let events = LiveFeed.events()
        let starttls = try #require(events.firstIndex { if case .exchange(_, "STARTTLS"?, _, _, _, _) = $0 { return true }; return false })
        for e in events.prefix(starttls + 1) { _ = App.update(&s, .live(e)) }
        #expect(!s.shownLinkSecure)
        #expect(s.live?.watched?.tabLabel(at: s.sim.tick, ascii: false) == "#1 127.0.0.1:40000")
        settle(&s)
        #expect(s.shownLinkSecure)
        #expect(s.live?.watched?.tabLabel(at: s.sim.tick, ascii: false) == "#1 127.0.0.1:40000 TLS")
        #expect(s.connectionLabel == "Real client: TLS")
    }

    @Test func typingReturnsToTheLearnersSessionAndANewClientNeverStealsAHalfTypedLine() throws {
        var s = LiveFeed.liveState()
        for e in LiveFeed.events().prefix(2) { _ = App.update(&s, .live(e)) }
        #expect(s.live?.watching == 1)
        _ = App.update(&s, .key(.char("h")))
        #expect(s.live?.watching == nil)
        #expect(String(s.editor.text) == "h")
        // A second client connects while "h" waits in the input line: it gets a tab, not the screen.
        _ = App.update(&s, .live(.opened(connection: 2, peer: "127.0.0.1:40001")))
        #expect(s.live?.watching == nil)
        #expect(s.status?.text.contains("Ctrl-N") == true)
        #expect(String(s.editor.text) == "h")
        // Ctrl-N walks the tabs: yours, #1, #2, then yours again.
        _ = App.update(&s, .key(.ctrl("n")))
        #expect(s.live?.watching == 1)
        _ = App.update(&s, .key(.ctrl("n")))
        #expect(s.live?.watching == 2)
        _ = App.update(&s, .key(.ctrl("n")))
        #expect(s.live?.watching == nil)
        // Ctrl-P goes back to the learner's own session from whichever client is watched, as the hint says.
        _ = App.update(&s, .key(.ctrl("n")))
        _ = App.update(&s, .key(.ctrl("n")))
        #expect(s.live?.watching == 2)
        _ = App.update(&s, .key(.ctrl("p")))
        #expect(s.live?.watching == nil)
        #expect(s.status?.text == "Your own simulated session")
        _ = App.update(&s, .key(.ctrl("p")))
        #expect(s.live?.watching == nil)
        #expect(String(s.editor.text) == "h")
    }

    @Test func aLongBodyIsFoldedButCounted() throws {
        var s = LiveFeed.liveState()
        let body = (1...100).map { "line \($0)" }
        let lines = SessionPreamble.authenticated.clientLines + ["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "DATA"]
            + body + [".", "QUIT"]
        for e in LiveFeed.events(lines: lines) { _ = App.update(&s, .live(e)) }
        settle(&s)
        let shown = s.shownTranscript
        #expect(shown.filter { $0.kind == .data && $0.text.hasPrefix("line ") }.count == LiveBoard.bodyLinesShown)
        #expect(shown.contains { $0.text == "… \(100 - LiveBoard.bodyLinesShown) more lines of the message (all of them were received)" })
        #expect(shown.contains { $0.kind == .data && $0.text == "." })
    }

    @Test func clickingATabWatchesItAndTheTabsFitANarrowPane() throws {
        var s = LiveFeed.liveState(size: Size(width: 80, height: 24))
        for n in 1...6 { _ = App.update(&s, .live(.opened(connection: n, peer: "127.0.0.1:4000\(n)"))) }
        #expect(s.live?.watching == 6)
        let frame = Frame.render(s)
        let text = frame.buffer.text
        // The newest (watched) tab and the learner's own are always shown; older ones give way with "…".
        #expect(text.contains("You (simulated)"))
        #expect(text.contains("#6 127.0.0.1:40006"))
        #expect(text.contains("…"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let row = try #require(lines.firstIndex { $0.contains("You (simulated)") })
        let column = try #require(lines[row].range(of: "You (simulated)")).lowerBound
        let x = lines[row].distance(from: lines[row].startIndex, to: column)
        _ = App.update(&s, .mouse(MouseEvent(.press, x: x + 2, y: row)))
        #expect(s.live?.watching == nil)
    }

    @Test func aFloodOfClientsNeverQueuesMinutesOfAnimation() throws {
        // 200 whole sessions arriving at once (a load test against the listener): the diagram stays within its
        // backlog, and the sessions past it show their lines at once instead of waiting to be drawn.
        var s = LiveFeed.liveState()
        for n in 1...200 {
            for e in LiveFeed.events(connection: n, peer: "127.0.0.1:\(41000 + n)") { _ = App.update(&s, .live(e)) }
        }
        #expect(s.sim.linkBacklog < LiveBoard.maxBacklog + 200, "backlog \(s.sim.linkBacklog) ticks")
        #expect(s.sim.flows.count < 400, "\(s.sim.flows.count) flow events queued")
        let last = try #require(s.live?.sessions.last)
        #expect(last.id == 200)
        #expect(last.visibleLines(at: s.sim.tick).contains { $0.text.hasPrefix("250 2.0.0 Ok: queued as") })
        #expect((s.live?.sessions.count ?? 0) <= LiveBoard.maxSessions)
    }

    @Test func aClientArrivingAfterTheClockHasRunOrAfterAResetIsDrawn() throws {
        // The live clocks start empty ("nothing sent yet"); arithmetic on them once time has passed must not trap.
        var s = LiveFeed.liveState()
        _ = App.update(&s, .tick(100))
        for e in LiveFeed.events().prefix(4) { _ = App.update(&s, .live(e)) }
        settle(&s)
        #expect(s.shownTranscript.contains { $0.text.hasPrefix("220 smtp.example.com") })
        // `reset` (twice: it asks first) forgets the simulation; a client then goes on talking.
        _ = App.update(&s, .key(.ctrl("p")))
        type("reset", &s); type("reset", &s)
        _ = App.update(&s, .key(.ctrl("n")))
        for e in LiveFeed.events().dropFirst(4) { _ = App.update(&s, .live(e)) }
        settle(&s)
        #expect(s.shownTranscript.contains { $0.text.hasPrefix("221 2.0.0 Bye") })
    }

    @Test func pipelinedLinesAndTheirRepliesReadInTheOrderTheyAreSeen() throws {
        var s = LiveFeed.liveState()
        var session = ServerSession(world: World.standard, profile: .mx, seed: 9)
        _ = App.update(&s, .live(.opened(connection: 1, peer: "127.0.0.1:40000")))
        _ = App.update(&s, .live(.exchange(connection: 1, line: nil, wasInData: false, envelopeOpen: false, pipelined: false, outputs: session.start())))
        let lines = ["EHLO client.test", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "RSET", "NOOP", "QUIT"]
        for (n, line) in lines.enumerated() {
            let before = session.phase
            let outputs = session.receiveLine(line)
            // Everything after EHLO in one write: MAIL, RCPT, RSET, NOOP and QUIT pipelined (RFC 2920).
            _ = App.update(&s, .live(.exchange(connection: 1, line: line, wasInData: false, envelopeOpen: before == .mail || before == .rcpt,
                                               pipelined: n > 1, outputs: outputs)))
        }
        let board = try #require(s.live)
        let ticks = try #require(board.watched).lines.map(\.tick)
        #expect(ticks == ticks.sorted(), "lines stored out of tick order: \(ticks)")
        // While it plays, what is shown never changes order: each frame's lines are a prefix of the final ones.
        var frames: [[TranscriptLine]] = []
        for _ in 0..<400 { _ = App.update(&s, .tick(1)); frames.append(s.shownTranscript) }
        let final = s.shownTranscript
        for frame in frames { #expect(Array(final.prefix(frame.count)) == frame) }
        // A pipelined command leaves before the reply to the one ahead of it arrives.
        let rcpt = try #require(final.firstIndex { $0.text == "RCPT TO:<bob@domain.com>" })
        let mailOK = try #require(final.firstIndex { $0.text == "250 2.1.0 Ok" })
        #expect(rcpt < mailOK)
    }

    @Test func aNewClientNeverTakesTheScreenFromAnOpenPopupOrASelectedLine() throws {
        var s = LiveFeed.liveState()
        type("connect", &s)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.up))
        let selected = try #require(s.selectedTranscriptLine)
        _ = App.update(&s, .key(.enter))
        #expect(s.popup == .explanation(selected))
        let explained = s.shownTranscript[selected]
        _ = App.update(&s, .live(.opened(connection: 1, peer: "127.0.0.1:40000")))
        #expect(s.live?.watching == nil)
        #expect(s.shownTranscript[selected] == explained)
    }

    @Test func theJourneysNewsGoesToTheSessionWhoseMessageTravels() throws {
        var s = LiveFeed.liveState()
        for e in LiveFeed.events() { _ = App.update(&s, .live(e)) }
        settle(&s)
        let client = try #require(s.live?.sessions.first).lines.map(\.line.text)
        #expect(client.contains { $0.contains("queued") && $0.contains("will deliver it itself") })
        #expect(!s.transcript.contains { $0.text.contains("will deliver it itself") })
        // Then the learner sends a message of their own: its news is theirs.
        _ = App.update(&s, .key(.ctrl("p")))
        for line in ["connect", "EHLO client.example.com", "STARTTLS", "EHLO client.example.com",
                     "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=", "MAIL FROM:<alice@example.com>",
                     "RCPT TO:<bob@domain.com>", "DATA", "Subject: mine", "", "hello", "."] { type(line, &s) }
        settle(&s)
        #expect(s.transcript.contains { $0.text.contains("will deliver it itself") })
    }

    @Test func runItAndTheMaildirAreAskedOfTheRuntime() {
        var s = LiveFeed.liveState()
        s.live?.maildir = "/tmp/mail"
        s.live?.mailFiles = [MailFileSummary(mailbox: "bob@domain.com", file: "1.M1P1Q1.host,S=300", from: "alice@example.com",
                                             subject: "From a real program", date: "Mon, 30 Nov 2026 19:00:00 +0000", size: 300)]
        App.focus(.examples, &s, typing: false)
        s.exampleIndex = 1
        #expect(App.update(&s, .key(.char("x"))) == [.runExample("swaks")])
        App.focus(.commands, &s, typing: false)
        #expect(App.update(&s, .key(.char("b"))) == [.refreshMaildir])
        let text = Frame.render(s).buffer.text
        #expect(text.contains("On disk — the Maildir /tmp/mail: 1 file"))
        #expect(text.contains("bob@domain.com/new/1.M1P1Q1.host,S=300"), "the file's own name")
        #expect(text.contains("Subject: From a real program"))
    }
}

@Suite("Live mode snapshots", .timeLimit(.minutes(2)))
struct LiveSnapshotTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 36), Size(width: 200, height: 60)]

    @Test(arguments: sizes)
    func aWatchedRealSessionAfterItsMessageWasDelivered(size: Size) {
        var s = LiveFeed.liveState(size: size)
        for e in LiveFeed.events() { _ = App.update(&s, .live(e)) }
        _ = App.update(&s, .live(.opened(connection: 2, peer: "[::1]:51000")))
        App.watch(step: -1, &s)   // back to #1, as [ or a click on its tab does
        settle(&s)
        let buffer = Frame.render(s).buffer
        #expect(buffer.text.contains("#1 127.0.0.1:40000"))
        #expect(buffer.text.contains("[::1]:51000"))
        Snapshot.check(buffer, named: Snapshot.name("live-session", size))
    }
}
