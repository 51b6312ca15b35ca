// Learn mode in `update`: a mission played by typing, its checklist, hints and the progress effect; lines typed
// ahead of a reply held back until it arrives (Ctrl-T sends at once); Tab and Enter never leaving the input line;
// the quiz after a story; the address book and completion.
import Testing
@testable import TUI
import SMTPCore

@Suite("Learn mode: missions, the quiz, the traps")
struct LearnTests {
    func keys(_ text: String, _ s: inout AppState) { for ch in text { _ = App.update(&s, .key(.char(ch))) } }

    /// Types and sends a line; returns the effects of its Enter.
    @discardableResult
    func enter(_ line: String, _ s: inout AppState) -> [Effect] {
        keys(line, &s)
        return App.update(&s, .key(.enter))
    }

    /// Ticks until the world is quiet and no typed-ahead line waits; the effects of every tick.
    @discardableResult
    func run(_ s: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        var n = 0
        while (s.sim.isBusy || !s.typedAhead.isEmpty) && n < 40_000 { effects += App.update(&s, .tick(2)); n += 1 }
        return effects
    }

    func missionState(_ id: String) throws -> AppState {
        var s = AppState(size: Size(width: 120, height: 36))
        App.focus(.missions, &s)
        s.learn.selected = try #require(s.learn.missions.firstIndex { $0.id == id })
        _ = App.update(&s, .key(.enter))
        return s
    }

    @Test func aMissionPlayedByTypingPassesSavesAndSaysWhy() throws {
        var s = try missionState("dot-stuffing")
        #expect(s.learn.active?.id == "dot-stuffing")
        #expect(s.focus == .terminal && s.typing)
        var effects: [Effect] = []
        let mission = try #require(s.learn.mission("dot-stuffing"))
        for line in mission.solution {
            effects += enter(line, &s)
            effects += run(&s)
        }
        let active = try #require(s.learn.active)
        #expect(active.passed)
        #expect(active.commands <= mission.par, "counted until the mission passed")
        #expect(s.learn.progress.isDone("dot-stuffing"))
        #expect(effects.contains { if case .saveProgress(let p) = $0 { return p.isDone("dot-stuffing") }; return false })
        #expect(s.transcript.contains { $0.text.hasPrefix("✓ Mission done") && $0.text.contains(mission.why) })
        #expect(Frame.render(s).buffer.text.contains("✓ mission done"))
    }

    @Test func theChecklistFollowsTheWorldAndHintsComeOneAtATime() throws {
        var s = try missionState("first-mail")
        #expect(s.learn.active?.verdict.checks.allSatisfy { !$0.passed } == true)
        App.focus(.missions, &s)
        _ = App.update(&s, .key(.char("h")))
        #expect(s.learn.active?.hintsShown == 1)
        #expect(s.status?.text.hasPrefix("Hint 1 of 3") == true)
        #expect(s.learn.progress.missions["first-mail"]?.hints == 1)
        _ = App.update(&s, .key(.char("3")))  // back to the terminal
        for line in ["connect", "EHLO client.example.com", "STARTTLS"] { enter(line, &s); run(&s) }
        #expect(s.learn.active?.verdict.checks.first?.passed == true, "TLS is on the checklist: \(s.transcript.map(\.text))")
        #expect(Frame.render(s).buffer.text.contains("mission 1/3"), "the terminal's title keeps the mission in sight")
        _ = App.update(&s, .key(.function(6)))
        #expect(Frame.render(s).buffer.text.contains("Checklist · 1 of 3"))
    }

    @Test func aLineTypedBeforeTheReplyWaitsForItAndCtrlTSendsAtOnce() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        enter("connect mx.domain.com", &s); run(&s)
        enter("EHLO client.example.com", &s)
        enter("MAIL FROM:<alice@example.com>", &s)          // the EHLO reply is still on its way
        #expect(s.typedAhead == ["MAIL FROM:<alice@example.com>"])
        #expect(s.transcript.last?.text.hasPrefix("⧗ queued") == true)
        run(&s)
        #expect(s.transcript.last?.text == "250 2.1.0 Ok", "sent after the EHLO reply and answered")
        // Ctrl-T: on purpose, right behind a command that must end its group — the server hangs up.
        var t = AppState(size: Size(width: 120, height: 36))
        enter("connect mx.domain.com", &t); run(&t)
        enter("EHLO client.example.com", &t)
        keys("MAIL FROM:<alice@example.com>", &t)
        _ = App.update(&t, .key(.ctrl("t")))
        run(&t)
        #expect(t.transcript.contains { $0.text == "554 5.5.0 Error: SMTP protocol synchronization" })
    }

    @Test func tabAndEnterNeverLeaveTheInputLine() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        enter("connect", &s); run(&s)
        keys("MAIL FROM:<ali", &s)
        _ = App.update(&s, .key(.tab))
        #expect(s.focus == .terminal && s.typing)
        #expect(s.editor.string == "MAIL FROM:<alice@example.com>")
        s.editor.set("")
        // Nothing to suggest and nothing to complete: Tab says so and stays.
        s.sim = Simulation()
        _ = App.update(&s, .key(.tab))
        #expect(s.focus == .terminal && s.typing)
    }

    @Test func brisklyTakingTheSuggestionsDeliversTheMessage() throws {
        // Tab then Enter every second (60 ticks), whatever the server is doing: the trap the issue met.
        var s = AppState(size: Size(width: 120, height: 36))
        enter("connect", &s)
        var seen: [Int] = []
        for _ in 0..<80 {
            _ = App.update(&s, .key(.tab))
            _ = App.update(&s, .key(.enter))
            for _ in 0..<30 { _ = App.update(&s, .tick(2)) }
            #expect(s.focus == .terminal && s.typing, "focus left the input line")
            seen = s.transcript.compactMap { if case .server(let c) = $0.kind { return c }; return nil }
            if seen.contains(221) { break }
        }
        #expect(seen.contains(354) && seen.contains(221), "\(seen)")
        #expect(seen.contains(250))
    }

    @Test func theQuizAfterAStoryIsAnsweredWith1To4AndSaved() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        s.scenarios = ScenarioCatalog().scenarios
        let happy = try #require(s.scenarios.first { $0.name == "happy-path" })
        App.startDemo(happy, &s)
        var n = 0
        while s.popup != .quiz && n < 200 { _ = App.update(&s, .key(.pageDown)); n += 1 }
        #expect(s.popup == .quiz)
        let quiz = try #require(s.learn.quiz)
        var effects: [Effect] = []
        for q in quiz.questions {
            effects += App.update(&s, .key(.char(Character(String(q.answer + 1)))))
            #expect(Frame.render(s).buffer.text.contains("Right."))
            _ = App.update(&s, .key(.enter))
        }
        #expect(s.popup == nil)
        #expect(s.learn.progress.quizzes["happy-path"]?.correct == quiz.questions.count)
        #expect(effects.contains { if case .saveProgress = $0 { return true }; return false })
    }

    @Test func theAddressBookPutsAnAddressInTheLine() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        keys("RCPT TO:<", &s)
        _ = App.update(&s, .key(.function(2)))
        let rows = App.addressBook(s.sim.network)
        let dave = try #require(rows.firstIndex { $0.address == "dave@domain.com" })
        #expect(rows[dave].note.contains("greylisted"))
        #expect(Frame.render(s).buffer.text.contains("dave@domain.com"))
        for _ in 0..<dave { _ = App.update(&s, .key(.down)) }
        _ = App.update(&s, .key(.enter))
        #expect(s.popup == nil)
        #expect(s.editor.string == "RCPT TO:<dave@domain.com")
    }
}
