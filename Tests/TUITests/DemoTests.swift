// Presenter mode through `update`: stepping, a real rewind (same frames forward again), autoplay, blanking, the
// keys that never reach the server, and the presenter layout at three sizes.
import Testing
@testable import TUI
import SMTPCore

func story(_ name: String) throws -> DemoScenario {
    let text = try #require(BuiltinScenarios.all.first { $0.name == name }, "no built-in \(name)").text
    return try DemoScenarioParser.parse(text, name: name, file: name + ".scenario")
}

/// A demo of `name`, presenter layout on, at `size`.
func demoState(_ name: String, size: Size = Size(width: 100, height: 30)) throws -> AppState {
    var s = AppState(size: size)
    s.presenter = true
    s.scenarios = ScenarioCatalog().scenarios
    App.startDemo(try story(name), &s)
    return s
}

/// Ticks until the current step has finished (typed, sent, replies in, its wait reached).
func finishStep(_ s: inout AppState, limit: Int = 20_000) {
    var n = 0
    while !s.demoStepFinished && n < limit { _ = App.update(&s, .tick(1)); n += 1 }
}

@Suite("Presenter mode", .timeLimit(.minutes(2)))
struct DemoTests {
    @Test func theFirstStepTypesItsLineCharacterByCharacterThenSendsIt() throws {
        var s = try demoState("happy-path")
        #expect(s.demo?.step == 0)
        #expect(!s.sim.isConnected)
        _ = App.update(&s, .tick(DemoMode.typingTicks * 3))
        #expect(String(s.editor.text) == "con")
        finishStep(&s)
        #expect(s.sim.isConnected)
        #expect(s.transcript.contains { $0.kind == .server(220) })
    }

    @Test func pageDownFinishesARunningStepThenGoesToTheNextOne() throws {
        var s = try demoState("happy-path")
        _ = App.update(&s, .key(.pageDown))  // step 1 is still typing: it is finished at once
        #expect(s.demo?.step == 0)
        #expect(s.demoStepFinished)
        #expect(s.transcript.contains { $0.text.hasPrefix("220 smtp.example.com") })
        _ = App.update(&s, .key(.pageDown))
        #expect(s.demo?.step == 1)
        #expect(s.editor.isEmpty && s.demo?.typed == 0)
        for key in [Key.char(" "), .right, .down, .enter] {
            finishStep(&s)
            let before = try #require(s.demo?.step)
            _ = App.update(&s, .key(key))
            #expect(s.demo?.step == before + 1, "\(key) must advance exactly one step")
        }
    }

    @Test func backThenForwardShowsExactlyTheSameFrames() throws {
        var s = try demoState("bounce", size: Size(width: 120, height: 36))
        for _ in 0..<8 { _ = App.update(&s, .key(.pageDown)) }  // to the start of step 5 (RCPT TO nobody)
        #expect(s.demo?.step == 4)
        func frames(_ state: AppState, ticks: Int) -> [String] {
            var t = state
            var out: [String] = []
            for _ in 0..<ticks { _ = App.update(&t, .tick(2)); out.append(Frame.render(t).buffer.text) }
            return out
        }
        let first = frames(s, ticks: 60)
        var back = s
        for _ in 0..<3 { _ = App.update(&back, .key(.pageUp)) }
        // Each PgUp lands on the end of the step before: 4 → end of 3 → end of 2 → end of 1.
        #expect(back.demo?.step == 1 && back.demoStepFinished)
        // Forward: the start of 2, its end, the start of 3, its end, the start of 4.
        for _ in 0..<5 { _ = App.update(&back, .key(.pageDown)) }
        #expect(back.demo?.step == 4 && back.demo?.typed == 0)
        #expect(Frame.render(back).buffer == Frame.render(s).buffer)
        #expect(back.transcript == s.transcript)
        #expect(back.sim.tick == s.sim.tick)
        let again = frames(back, ticks: 60)
        #expect(again == first)
        // The frames really animate: the step types and its reply travels.
        #expect(Set(first).count > 20)
    }

    @Test func presenterKeysNeverReachTheServer() throws {
        var s = try demoState("happy-path")
        finishStep(&s)
        let sent = s.transcript
        // Letters that are not presenter keys (Space, a, b, . and q are), pasted lines and a click.
        for ch in "NOOPxyzk" { _ = App.update(&s, .key(.char(ch))) }
        _ = App.update(&s, .paste("RSET\nQUIT\n"))
        _ = App.update(&s, .mouse(MouseEvent(.press, x: 50, y: 20)))
        settle(&s)
        #expect(s.transcript == sent)
        #expect(!s.transcript.contains { $0.kind == .you })
        #expect(s.sim.isConnected)
    }

    @Test func withoutAutoplayTheStoryWaitsOnStepOneForAKey() throws {
        var s = try demoState("happy-path")
        #expect(s.demo?.autoplay == false)
        for _ in 0..<600 { _ = App.update(&s, .tick(2)) }  // 20 s of frames
        #expect(s.demo?.step == 0)
        #expect(s.demoStepFinished)
        #expect(!s.wantsTicks, "a finished step with autoplay off must let the app sleep")
    }

    /// The relay hop, one server-to-server command a step: each step of the journey's relay ends with exactly one
    /// more of smtp.example.com's commands answered, and the world stands still between two clicks.
    @Test func everyRelayCommandIsAStepOfItsOwn() throws {
        var s = try demoState("happy-path")
        /// smtp.example.com's commands that have their reply by now.
        func relayed(_ s: AppState) -> [String] {
            let lines = s.sim.hopLines.filter { !$0.host.isEmpty }
            return lines.indices.compactMap { i in
                guard lines[i].kind == .client,
                      let reply = lines[(i + 1)...].first(where: { if case .server = $0.kind { return true }; return false }),
                      reply.tick <= s.sim.tick else { return nil }
                return lines[i].text
            }
        }
        var perStep: [[String]] = []
        var n = 0
        while n < 40 {
            _ = App.update(&s, .key(.pageDown))  // finish
            let end = s.sim.tick
            _ = App.update(&s, .tick(120))  // two seconds later nothing has moved
            #expect(s.sim.tick == end, "the world moved on after step \((s.demo?.step ?? 0) + 1) had finished")
            perStep.append(relayed(s))
            if s.demo?.isLast == true { break }
            _ = App.update(&s, .key(.pageDown))  // next
            n += 1
        }
        let all = try #require(perStep.last)
        #expect(all.map { $0.split(separator: " ")[0] } == ["EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "(the", "QUIT"], "\(all)")
        // Between two steps, never two answers at once (QUIT's comes with the last step, the delivery).
        for (before, after) in zip(perStep, perStep.dropFirst()) {
            #expect(after.count - before.count <= 1, "one step had \(after.dropFirst(before.count)) answered; steps: \(perStep.map(\.count))")
        }
        #expect(perStep.map(\.count).filter { $0 > 0 }.count >= 7, "the relay's answers came in fewer than seven steps: \(perStep.map(\.count))")
        #expect(s.sim.mailbox("bob@domain.com").count == 1)
    }

    @Test func autoplayStepsOnByItselfAndStopsAtTheEnd() throws {
        var s = try demoState("wrong-password")
        _ = App.update(&s, .key(.char("a")))
        #expect(s.demo?.autoplay == true)
        var n = 0
        while s.demo?.step ?? 0 < 2 && n < 20_000 { _ = App.update(&s, .tick(2)); n += 1 }
        #expect(s.demo?.step == 2, "autoplay did not reach step 3")
        while !(s.demo?.isLast ?? true) && n < 60_000 { _ = App.update(&s, .tick(2)); n += 1 }
        finishStep(&s)
        #expect(s.demo?.isLast == true)
        #expect(!s.isAnimating || s.sim.isBusy, "autoplay keeps ticking after the last step")
        _ = App.update(&s, .key(.function(5)))
        #expect(s.demo?.autoplay == false)
    }

    @Test func dotBlanksTheScreenAndAnyKeyBringsItBack() throws {
        var s = try demoState("happy-path")
        finishStep(&s)
        _ = App.update(&s, .key(.char(".")))
        let blank = Frame.render(s).buffer
        #expect(blank.text.allSatisfy { $0 == " " || $0 == "\n" })
        #expect(!s.isAnimating)
        _ = App.update(&s, .key(.char("x")))
        #expect(s.demo?.blanked == false && s.demo?.step == 0)
        #expect(Frame.render(s).buffer.text.contains("step 1 of 22"))
    }

    @Test func escLeavesTheDemoAndHomeRestarts() throws {
        var s = try demoState("happy-path")
        for _ in 0..<5 { _ = App.update(&s, .key(.pageDown)) }
        _ = App.update(&s, .key(.home))
        #expect(s.demo?.step == 0 && !s.sim.isConnected)
        _ = App.update(&s, .key(.char("?")))
        #expect(s.popup == .demoKeys)
        _ = App.update(&s, .key(.escape))
        #expect(s.popup == nil && s.demo != nil)
        _ = App.update(&s, .key(.escape))
        #expect(s.demo == nil && !s.presenter && s.typing)
    }

    @Test func theMenuListsTheStoriesAndStartsOne() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        s.scenarios = ScenarioCatalog().scenarios
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("d")))
        #expect(s.popup == .demoMenu(0))
        #expect(Frame.render(s).buffer.text.contains("▸ Alice writes to Bob: the whole journey"))
        _ = App.update(&s, .key(.down))
        _ = App.update(&s, .key(.enter))
        #expect(s.demo?.scenario.name == "bounce")
        #expect(s.presenter)
    }

    /// A relay step on the projector: the servers' own conversation in the lower pane, the line the caption talks
    /// about on screen, the header one text at a time.
    @Test(arguments: [Size(width: 80, height: 24), Size(width: 100, height: 30), Size(width: 200, height: 60)])
    func aRelayStepOnTheProjector(_ size: Size) throws {
        var s = try demoState("happy-path", size: size)
        let scenario = try #require(s.demo?.scenario)
        let index = try #require(scenario.steps.firstIndex { $0.wait == .relay("MAIL") })
        s = App.demoState(scenario, at: index, ending: true, like: s)
        let text = Frame.render(s).buffer.text
        #expect(text.contains("the relay hop, port 25"), "\(text)")
        #expect(text.contains("C: MAIL FROM:<alice@example.com>"), "\(text)")
        #expect(text.contains("S: 250 2.1.0 Ok"), "\(text)")
        let header = try #require(text.split(separator: "\n").first)
        #expect(!header.contains("…") || !header.contains("PgDn"), "the header cuts the key reminder: \(header)")
        Snapshot.check(Frame.render(s).buffer, named: Snapshot.name("presenter-relay", size))
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 100, height: 30), Size(width: 200, height: 60)])
    func thePresenterLayout(_ size: Size) throws {
        var s = try demoState("bounce", size: size)
        for _ in 0..<12 { _ = App.update(&s, .key(.pageDown)) }
        finishStep(&s)
        let text = Frame.render(s).buffer.text
        #expect(text.contains("step 7 of 16"))
        // The reply code as a banner: block letters when there are rows for them, plain text otherwise.
        #expect(size.height >= 30 ? text.contains("█") || text.contains("▀") : text.contains("250"))
        #expect(text.contains("There is no \"nobody\" at domain.com"))
        Snapshot.check(Frame.render(s).buffer, named: Snapshot.name("presenter-bounce", size))
    }

    @Test func everyListedPresenterKeyActs() throws {
        for binding in App.demoBindings {
            for key in binding.keys {
                var s = try demoState("happy-path")
                for _ in 0..<3 { _ = App.update(&s, .key(.pageDown)) }  // mid-story, so back and Home can act
                func look(_ s: AppState) -> String {
                    "\(String(describing: s.demo?.step)) \(String(describing: s.demo?.sent)) \(String(describing: s.demo?.autoplay)) \(String(describing: s.demo?.pace)) \(String(describing: s.demo?.blanked)) \(String(describing: s.popup)) \(s.demo == nil)"
                }
                let before = look(s)
                let effects = App.update(&s, .key(key))
                #expect(!effects.isEmpty || look(s) != before, "\(key.label) is listed but does nothing")
            }
        }
    }

    @Test func bannerLettersAreFiveRowsOrThreeHalfRows() {
        let full = BlockLetters.rows("250")
        #expect(full.count == 5 && full.allSatisfy { $0.count == full[0].count })
        #expect(full[0] == " ███  █████  ███ ")
        let half = BlockLetters.halfRows("250")
        #expect(half.count == 3 && half[0].count == full[0].count)
        #expect(half[0].hasPrefix("▄▀▀▀▄"))
    }
}
