// The learner's traps, through `update` as the app drives it.
import Testing
@testable import TUI
import SMTPCore

func press(_ key: Key, _ s: inout AppState) { _ = App.update(&s, .key(key)) }
func typeOnly(_ text: String, _ s: inout AppState) { for ch in text { press(.char(ch), &s) } }

@Suite("update: the learner's traps", .timeLimit(.minutes(2)))
struct TeacherTests {
    @Test func linesTypedOfflineAreEchoedAndExplained() {
        var s = AppState(size: Size(width: 120, height: 36))
        type("EHLO tpyo.example.com", &s)
        let texts = s.transcript.map(\.text)
        #expect(s.transcript.contains(TranscriptLine(.you, "EHLO tpyo.example.com")), "the typo is not visible: \(texts)")
        #expect(texts.last?.contains("type `connect` first") == true)
        #expect(!s.sim.isConnected)
    }

    @Test func tryItOfflineConnectsFirstThenSendsTheLine() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        press(.escape, &s); press(.char("2"), &s); press(.enter, &s)  // the EHLO popup
        press(.char("t"), &s)
        let line = s.editor.string
        #expect(!line.isEmpty && s.popup == nil)
        press(.enter, &s)
        settle(&s)
        for _ in 0..<50 { _ = App.update(&s, .tick(30)) }
        settle(&s)
        #expect(s.sim.isConnected)
        let you = s.transcript.filter { $0.kind == .you }.map(\.text)
        #expect(you.filter { $0 == line }.count == 2, "echoed offline, then sent once connected: \(you)")
        #expect(s.transcript.contains { if case .server(250) = $0.kind { return true }; return false }, "the Try-it line never reached the server")
    }

    @Test func tabWhileTheServerIsBusyFillsTheSuggestionWhenTheReplyArrives() {
        var s = AppState(size: Size(width: 120, height: 36))
        typeOnly("connect", &s); press(.enter, &s)
        #expect(s.sim.isAwaitingServer)
        press(.tab, &s)
        #expect(s.editor.isEmpty && s.fillSuggestionWhenReady)
        #expect(s.status?.text.contains("fills the line as soon as its reply arrives") == true)
        settle(&s)
        _ = App.update(&s, .tick(1))
        #expect(s.editor.string == "EHLO client.example.com")
    }

    @Test func enterOnAnEmptyLineAsksOnceOutsideData() {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        let before = s.transcript.count
        press(.enter, &s)
        #expect(s.transcript.count == before, "an empty line was sent without asking")
        #expect(s.status?.text.contains("Send an empty line to the server?") == true)
        press(.enter, &s)
        settle(&s)
        #expect(s.transcript.contains { if case .server(500) = $0.kind { return true }; return false }, "the second Enter did not send it")
    }

    @Test func anEmptyLineInDataIsSentAtOnce() {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        for line in SessionPreamble.authenticated.clientLines + ["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "DATA", "Subject: x"] { type(line, &s) }
        let before = s.transcript.count
        press(.enter, &s)
        #expect(s.transcript.count == before + 1 && s.transcript.last?.kind == .data)
        settle(&s)
        #expect(Suggestion.why(for: s) == "the body: any text you like")
    }

    @Test func dotStuffingIsExplainedWhenTheServerUndoesIt() {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        for line in ["EHLO a", "MAIL FROM:<a@example.com>"] { type(line, &s) }
        s = AppState(size: s.size)  // over the MX, no AUTH needed
        type("connect mx.domain.com", &s)
        for line in ["EHLO a", "MAIL FROM:<a@example.com>", "RCPT TO:<bob@domain.com>", "DATA", "Subject: dots", "", "..leading"] { type(line, &s) }
        #expect(s.transcript.last?.text.contains("Dot-stuffing undone: the server stores this line as “.leading”") == true)
        type(".lost", &s)
        #expect(s.transcript.last?.text.contains("stored as “lost”") == true)
        type("plain", &s)
        #expect(s.transcript.last?.kind == .data, "a note for a line without a dot")
    }

    @Test func resetAsksFirst() {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        type("reset", &s)
        #expect(s.sim.isConnected, "the first reset wiped everything")
        #expect(s.transcript.last?.text.contains("Type reset again") == true)
        type("reset", &s)
        #expect(!s.sim.isConnected && s.transcript.count == 1)
        // A confirmation does not carry over other lines.
        type("connect", &s); type("reset", &s); type("NOOP", &s); type("reset", &s)
        #expect(s.sim.isConnected)
    }

    @Test func closedOnlyAfterThe221IsSeen() {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        typeOnly("QUIT", &s); press(.enter, &s)
        #expect(s.connectionLabel == "Closing…")
        settle(&s)
        #expect(s.connectionLabel == "Closed")
        #expect(s.transcript.contains { if case .server(221) = $0.kind { return true }; return false })
    }

    @Test func theCopyMessageIsTransientAndHonest() {
        var s = AppState(size: Size(width: 120, height: 36))
        press(.escape, &s); press(.char("5"), &s); press(.char("y"), &s)
        let text = s.status?.text ?? ""
        #expect(text.contains("OSC 52") && text.contains("--print-example python") && !text.hasPrefix("Copied"))
        #expect(s.wantsTicks, "nothing would tick to take the message away")
        _ = App.update(&s, .tick(Teacher.transientTicks + 1))
        #expect(s.status == nil)
    }

    @Test(arguments: [221, 250, 354, 550, 552])
    func statusCodePopupsTryItRunsTheRecipe(_ code: Int) throws {
        var s = AppState(size: Size(width: 120, height: 36))
        press(.escape, &s); press(.char("4"), &s)
        s.popup = .statusCode(code)
        #expect(Frame.render(s).buffer.text.contains("[ t  Try it ]"))
        press(.char("t"), &s)
        #expect(s.popup == nil && !s.queuedLines.isEmpty)
        var n = 0
        while (!s.queuedLines.isEmpty || s.sim.isBusy) && n < 20_000 { _ = App.update(&s, .tick(5)); n += 1 }
        let codes = s.transcript.compactMap { line -> Int? in if case .server(let c) = line.kind { return c }; return nil }
        // The recipe ends on the code (a 250 somewhere on the way, to EHLO say, proves nothing).
        #expect(codes.last == code, "the recipe for \(code) produced \(codes)")
    }

    @Test func theWheelOverTheTranscriptScrollsIt() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        for _ in 0..<40 { type("NOOP", &s) }
        let spot = try #require(Frame.render(s).hits.first { if case .transcriptLine = $0.target { return true }; return false })
        _ = App.update(&s, .mouse(MouseEvent(.wheelUp, x: spot.rect.x + 2, y: spot.rect.y)))
        #expect(s.transcriptScroll == 3 && s.selectedTranscriptLine == nil)
        _ = App.update(&s, .mouse(MouseEvent(.wheelDown, x: spot.rect.x + 2, y: spot.rect.y)))
        #expect(s.transcriptScroll == 0)
    }

    @Test func pageUpMovesAPageOfTheTranscript() {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        for _ in 0..<60 { type("NOOP", &s) }
        let page = Teacher.transcriptPage(s)
        #expect(page > 10, "a page of a 36-row terminal is more than 10 rows, got \(page)")
        press(.pageUp, &s)
        #expect(s.transcriptScroll == page)
        press(.pageDown, &s)
        #expect(s.transcriptScroll == 0)
    }

    @Test func aPausedAnimationSaysSoWhereTheSuggestionIs() {
        var s = AppState(size: Size(width: 120, height: 36))
        typeOnly("connect", &s); press(.enter, &s)
        press(.escape, &s); press(.char("p"), &s)
        #expect(Suggestion.why(for: s).contains("paused"))
    }
}
